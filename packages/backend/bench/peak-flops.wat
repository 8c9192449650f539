;; Peak floating-point rate of WebAssembly SIMD128 on one thread (bench/peak-flops.ts compiles this with wabt at
;; run time). 12 independent chains x[i] = x[i] * a + b of f32x4: a multiply then an add per step, 8 flops per
;; chain and step. Twelve chains because each step waits for its own previous result: with 3-4 cycles of
;; latency per operation and two or more vector units, fewer chains would measure latency, not
;; throughput; 12 accumulators plus a and b still fit x86's 16 vector registers, so nothing spills. The chains
;; depend on x, so the engine cannot hoist or fold them; a in (0, 1) keeps every value finite and normal (x tends
;; to b / (1 - a)), since denormals would run on a slow path.
(module
  ;; Runs n steps of the 12 chains; returns their sum so that no chain is dead code.
  (func (export "mul_add") (param $n i32) (result f32)
    (local $a v128) (local $b v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $x4 v128) (local $x5 v128) (local $x6 v128) (local $x7 v128) (local $x8 v128) (local $x9 v128) (local $x10 v128) (local $x11 v128)
    (local.set $a (f32x4.splat (f32.const 0.999)))
    (local.set $b (f32x4.splat (f32.const 0.001)))
    (local.set $x0 (f32x4.splat (f32.const 1.0000)))
    (local.set $x1 (f32x4.splat (f32.const 1.0625)))
    (local.set $x2 (f32x4.splat (f32.const 1.1250)))
    (local.set $x3 (f32x4.splat (f32.const 1.1875)))
    (local.set $x4 (f32x4.splat (f32.const 1.2500)))
    (local.set $x5 (f32x4.splat (f32.const 1.3125)))
    (local.set $x6 (f32x4.splat (f32.const 1.3750)))
    (local.set $x7 (f32x4.splat (f32.const 1.4375)))
    (local.set $x8 (f32x4.splat (f32.const 1.5000)))
    (local.set $x9 (f32x4.splat (f32.const 1.5625)))
    (local.set $x10 (f32x4.splat (f32.const 1.6250)))
    (local.set $x11 (f32x4.splat (f32.const 1.6875)))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x0 (f32x4.add (f32x4.mul (local.get $x0) (local.get $a)) (local.get $b)))
        (local.set $x1 (f32x4.add (f32x4.mul (local.get $x1) (local.get $a)) (local.get $b)))
        (local.set $x2 (f32x4.add (f32x4.mul (local.get $x2) (local.get $a)) (local.get $b)))
        (local.set $x3 (f32x4.add (f32x4.mul (local.get $x3) (local.get $a)) (local.get $b)))
        (local.set $x4 (f32x4.add (f32x4.mul (local.get $x4) (local.get $a)) (local.get $b)))
        (local.set $x5 (f32x4.add (f32x4.mul (local.get $x5) (local.get $a)) (local.get $b)))
        (local.set $x6 (f32x4.add (f32x4.mul (local.get $x6) (local.get $a)) (local.get $b)))
        (local.set $x7 (f32x4.add (f32x4.mul (local.get $x7) (local.get $a)) (local.get $b)))
        (local.set $x8 (f32x4.add (f32x4.mul (local.get $x8) (local.get $a)) (local.get $b)))
        (local.set $x9 (f32x4.add (f32x4.mul (local.get $x9) (local.get $a)) (local.get $b)))
        (local.set $x10 (f32x4.add (f32x4.mul (local.get $x10) (local.get $a)) (local.get $b)))
        (local.set $x11 (f32x4.add (f32x4.mul (local.get $x11) (local.get $a)) (local.get $b)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $step)))
    (local.set $x0 (f32x4.add (local.get $x0) (local.get $x1)))
    (local.set $x0 (f32x4.add (local.get $x0) (local.get $x2)))
    (local.set $x0 (f32x4.add (local.get $x0) (local.get $x3)))
    (local.set $x0 (f32x4.add (local.get $x0) (local.get $x4)))
    (local.set $x0 (f32x4.add (local.get $x0) (local.get $x5)))
    (local.set $x0 (f32x4.add (local.get $x0) (local.get $x6)))
    (local.set $x0 (f32x4.add (local.get $x0) (local.get $x7)))
    (local.set $x0 (f32x4.add (local.get $x0) (local.get $x8)))
    (local.set $x0 (f32x4.add (local.get $x0) (local.get $x9)))
    (local.set $x0 (f32x4.add (local.get $x0) (local.get $x10)))
    (local.set $x0 (f32x4.add (local.get $x0) (local.get $x11)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $x0)) (f32x4.extract_lane 1 (local.get $x0)))
      (f32.add (f32x4.extract_lane 2 (local.get $x0)) (f32x4.extract_lane 3 (local.get $x0)))))
)
