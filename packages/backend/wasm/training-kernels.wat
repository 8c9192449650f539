;; SIMD kernels that run directly on tfjs-backend-wasm's heap (its memory is imported), for training steps the
;; wasm build runs in several passes or not at all. Pointers are byte offsets into that heap; every f64 or f32
;; scratch buffer is allocated by the caller. `scripts/build-wasm-kernels.mjs` compiles this file into
;; src/kernels/wasm-kernels-binary.ts (once with an unshared memory import, once with the threaded build's shared
;; memory); a test checks that the committed binary is this source.
(module
  (import "env" "memory" (memory 1))

  ;; Zeroes `bytes` (a multiple of 4) at dst. memory.fill and memory.copy are not used: on the short rows these
  ;; kernels copy, V8's bulk-memory calls cost more than a vector loop (6.6-7.1 against 4.0 ns per 224 bytes,
  ;; shared or not), and on long fills they are no faster (1.8 against 1.5 ms per 40 MiB).
  (func $zero (param $dst i32) (param $bytes i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.and (local.get $bytes) (i32.const -16))))
    (block $vecDone (loop $vecLoop
      (br_if $vecDone (i32.ge_u (local.get $dst) (local.get $end)))
      (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $vecLoop)))
    (local.set $end (i32.add (local.get $end) (i32.and (local.get $bytes) (i32.const 15))))
    (block $tailDone (loop $tailLoop
      (br_if $tailDone (i32.ge_u (local.get $dst) (local.get $end)))
      (i32.store (local.get $dst) (i32.const 0))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $tailLoop))))

  ;; Copies `bytes` (a multiple of 4) from src to a dst that does not overlap it.
  (func $copy (param $dst i32) (param $src i32) (param $bytes i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.and (local.get $bytes) (i32.const -16))))
    (block $vecDone (loop $vecLoop
      (br_if $vecDone (i32.ge_u (local.get $dst) (local.get $end)))
      (v128.store (local.get $dst) (v128.load (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br $vecLoop)))
    (local.set $end (i32.add (local.get $end) (i32.and (local.get $bytes) (i32.const 15))))
    (block $tailDone (loop $tailLoop
      (br_if $tailDone (i32.ge_u (local.get $dst) (local.get $end)))
      (i32.store (local.get $dst) (i32.load (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (br $tailLoop))))

  ;; acc[0..n) (f64) += promote(v) for the four lanes of v.
  (func $accumulate4 (param $acc i32) (param $v v128)
    (v128.store (local.get $acc)
      (f64x2.add (v128.load (local.get $acc)) (f64x2.promote_low_f32x4 (local.get $v))))
    (v128.store offset=16 (local.get $acc)
      (f64x2.add
        (v128.load offset=16 (local.get $acc))
        (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))

  ;; out[o, j] = scale * Σ_r x[o, r, j] for x viewed as [outer, rows, width] (float32). Rows are summed in float32
  ;; in blocks of 16, and the blocks in float64 in acc (width f64 values of scratch).
  (func (export "sum_rows")
    (param $x i32) (param $out i32) (param $acc i32)
    (param $outer i32) (param $rows i32) (param $width i32) (param $scale f64)
    (local $o i32) (local $r i32) (local $block i32) (local $j i32) (local $q i32) (local $p i32)
    (local $rowBytes i32) (local $vectorWidth i32) (local $v v128) (local $s f32)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $vectorWidth (i32.and (local.get $width) (i32.const -4)))
    (block $outerDone
      (loop $outerLoop
        (br_if $outerDone (i32.ge_u (local.get $o) (local.get $outer)))
        (call $zero (local.get $acc) (i32.shl (local.get $width) (i32.const 3)))
        (local.set $r (i32.const 0))
        (block $rowsDone
          (loop $rowsLoop
            (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $block (i32.sub (local.get $rows) (local.get $r)))
            (if (i32.gt_u (local.get $block) (i32.const 16)) (then (local.set $block (i32.const 16))))
            ;; four columns at a time
            (local.set $j (i32.const 0))
            (block $vecDone
              (loop $vecLoop
                (br_if $vecDone (i32.ge_u (local.get $j) (local.get $vectorWidth)))
                (local.set $p (i32.add (local.get $x)
                  (i32.shl (i32.add (i32.mul (local.get $r) (local.get $width)) (local.get $j)) (i32.const 2))))
                (local.set $v (v128.const i32x4 0 0 0 0))
                (local.set $q (local.get $block))
                (loop $blockLoop
                  (local.set $v (f32x4.add (local.get $v) (v128.load (local.get $p))))
                  (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
                  (local.set $q (i32.sub (local.get $q) (i32.const 1)))
                  (br_if $blockLoop (local.get $q)))
                (call $accumulate4 (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 3))) (local.get $v))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $vecLoop)))
            ;; remaining columns one by one
            (block $tailDone
              (loop $tailLoop
                (br_if $tailDone (i32.ge_u (local.get $j) (local.get $width)))
                (local.set $p (i32.add (local.get $x)
                  (i32.shl (i32.add (i32.mul (local.get $r) (local.get $width)) (local.get $j)) (i32.const 2))))
                (local.set $s (f32.const 0))
                (local.set $q (local.get $block))
                (loop $tailBlockLoop
                  (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
                  (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
                  (local.set $q (i32.sub (local.get $q) (i32.const 1)))
                  (br_if $tailBlockLoop (local.get $q)))
                (local.set $p (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 3))))
                (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (f64.promote_f32 (local.get $s))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $tailLoop)))
            (local.set $r (i32.add (local.get $r) (local.get $block)))
            (br $rowsLoop)))
        ;; write this outer slice
        (local.set $j (i32.const 0))
        (block $writeDone
          (loop $writeLoop
            (br_if $writeDone (i32.ge_u (local.get $j) (local.get $width)))
            (f32.store
              (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $o) (local.get $width)) (local.get $j)) (i32.const 2)))
              (f32.demote_f64 (f64.mul
                (f64.load (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 3))))
                (local.get $scale))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $writeLoop)))
        (local.set $x (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $rowBytes))))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $outerLoop))))

  ;; Depthwise (multiplier 1) filter gradient: out[kh, kw, c] = Σ_{n, oh, ow} x[n, ih, iw, c] · dy[n, oh, ow, c]
  ;; with ih = oh·sh + kh·dh − top, iw = ow·sw + kw·dw − left inside the image. x is [n, h, w, c], dy
  ;; [n, oh, ow, c] (float32). Each output row's products are summed in float32, rows in float64 in acc
  ;; (kh·kw·c f64 values of scratch).
  (func (export "depthwise_filter_grad")
    (param $x i32) (param $dy i32) (param $acc i32) (param $out i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32) (param $oh i32) (param $ow i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $top i32) (param $left i32)
    (local $img i32) (local $row i32) (local $a i32) (local $b i32) (local $ih i32) (local $off i32)
    (local $lo i32) (local $hi i32) (local $ch i32) (local $col i32) (local $px i32) (local $pd i32)
    (local $xRow i32) (local $dyRow i32) (local $accTap i32) (local $xStep i32) (local $dyStep i32)
    (local $vectorC i32) (local $v v128) (local $s f32) (local $i i32) (local $taps i32) (local $span i32)
    (local.set $taps (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $c)))
    (call $zero (local.get $acc) (i32.shl (local.get $taps) (i32.const 3)))
    (local.set $vectorC (i32.and (local.get $c) (i32.const -4)))
    (local.set $dyStep (i32.shl (local.get $c) (i32.const 2)))
    (local.set $xStep (i32.mul (local.get $sw) (local.get $dyStep)))
    (block $imgDone (loop $imgLoop
      (br_if $imgDone (i32.ge_u (local.get $img) (local.get $n)))
      (local.set $row (i32.const 0))
      (block $rowDone (loop $rowLoop
        (br_if $rowDone (i32.ge_u (local.get $row) (local.get $oh)))
        (local.set $dyRow (i32.add (local.get $dy)
          (i32.mul (i32.mul (i32.add (i32.mul (local.get $img) (local.get $oh)) (local.get $row)) (local.get $ow)) (local.get $dyStep))))
        (local.set $a (i32.const 0))
        (block $aDone (loop $aLoop
          (br_if $aDone (i32.ge_u (local.get $a) (local.get $kh)))
          (local.set $ih (i32.sub
            (i32.add (i32.mul (local.get $row) (local.get $sh)) (i32.mul (local.get $a) (local.get $dh)))
            (local.get $top)))
          (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $h)))
            (then
              (local.set $xRow (i32.add (local.get $x)
                (i32.mul (i32.mul (i32.add (i32.mul (local.get $img) (local.get $h)) (local.get $ih)) (local.get $w)) (local.get $dyStep))))
              (local.set $b (i32.const 0))
              (block $bDone (loop $bLoop
                (br_if $bDone (i32.ge_u (local.get $b) (local.get $kw)))
                ;; output columns whose input column iw = col·sw + off is inside the row: [lo, hi)
                (local.set $off (i32.sub (i32.mul (local.get $b) (local.get $dw)) (local.get $left)))
                (local.set $lo (i32.const 0))
                (if (i32.lt_s (local.get $off) (i32.const 0))
                  (then (local.set $lo (i32.div_s
                    (i32.add (i32.sub (i32.const 0) (local.get $off)) (i32.sub (local.get $sw) (i32.const 1)))
                    (local.get $sw)))))
                (local.set $span (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $off)))
                (local.set $hi (i32.const 0))
                (if (i32.ge_s (local.get $span) (i32.const 0))
                  (then (local.set $hi (i32.add (i32.div_s (local.get $span) (local.get $sw)) (i32.const 1)))))
                (if (i32.gt_s (local.get $hi) (local.get $ow)) (then (local.set $hi (local.get $ow))))
                (if (i32.lt_s (local.get $lo) (local.get $hi))
                  (then
                    (local.set $accTap (i32.add (local.get $acc)
                      (i32.shl (i32.mul (i32.add (i32.mul (local.get $a) (local.get $kw)) (local.get $b)) (local.get $c)) (i32.const 3))))
                    (local.set $ch (i32.const 0))
                    (block $vecDone (loop $vecLoop
                      (br_if $vecDone (i32.ge_u (local.get $ch) (local.get $vectorC)))
                      (local.set $px (i32.add (local.get $xRow) (i32.shl
                        (i32.add (i32.mul (i32.add (i32.mul (local.get $lo) (local.get $sw)) (local.get $off)) (local.get $c)) (local.get $ch))
                        (i32.const 2))))
                      (local.set $pd (i32.add (local.get $dyRow) (i32.shl
                        (i32.add (i32.mul (local.get $lo) (local.get $c)) (local.get $ch)) (i32.const 2))))
                      (local.set $v (v128.const i32x4 0 0 0 0))
                      (local.set $col (i32.sub (local.get $hi) (local.get $lo)))
                      (loop $colLoop
                        (local.set $v (f32x4.add (local.get $v)
                          (f32x4.mul (v128.load (local.get $px)) (v128.load (local.get $pd)))))
                        (local.set $px (i32.add (local.get $px) (local.get $xStep)))
                        (local.set $pd (i32.add (local.get $pd) (local.get $dyStep)))
                        (local.set $col (i32.sub (local.get $col) (i32.const 1)))
                        (br_if $colLoop (local.get $col)))
                      (call $accumulate4 (i32.add (local.get $accTap) (i32.shl (local.get $ch) (i32.const 3))) (local.get $v))
                      (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                      (br $vecLoop)))
                    (block $tailDone (loop $tailLoop
                      (br_if $tailDone (i32.ge_u (local.get $ch) (local.get $c)))
                      (local.set $px (i32.add (local.get $xRow) (i32.shl
                        (i32.add (i32.mul (i32.add (i32.mul (local.get $lo) (local.get $sw)) (local.get $off)) (local.get $c)) (local.get $ch))
                        (i32.const 2))))
                      (local.set $pd (i32.add (local.get $dyRow) (i32.shl
                        (i32.add (i32.mul (local.get $lo) (local.get $c)) (local.get $ch)) (i32.const 2))))
                      (local.set $s (f32.const 0))
                      (local.set $col (i32.sub (local.get $hi) (local.get $lo)))
                      (loop $tailColLoop
                        (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $px)) (f32.load (local.get $pd)))))
                        (local.set $px (i32.add (local.get $px) (local.get $xStep)))
                        (local.set $pd (i32.add (local.get $pd) (local.get $dyStep)))
                        (local.set $col (i32.sub (local.get $col) (i32.const 1)))
                        (br_if $tailColLoop (local.get $col)))
                      (local.set $i (i32.add (local.get $accTap) (i32.shl (local.get $ch) (i32.const 3))))
                      (f64.store (local.get $i) (f64.add (f64.load (local.get $i)) (f64.promote_f32 (local.get $s))))
                      (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                      (br $tailLoop)))))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $bLoop)))))
          (local.set $a (i32.add (local.get $a) (i32.const 1)))
          (br $aLoop)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rowLoop)))
      (local.set $img (i32.add (local.get $img) (i32.const 1)))
      (br $imgLoop)))
    (local.set $i (i32.const 0))
    (block $writeDone (loop $writeLoop
      (br_if $writeDone (i32.ge_u (local.get $i) (local.get $taps)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
        (f32.demote_f64 (f64.load (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $writeLoop))))

  ;; out[r, c] = (x[r, c] − mean[c]) · factor[c] (+ offset[c] when hasOffset), float32 throughout, in the order the
  ;; three separate broadcasting kernels would round.
  (func (export "batch_norm")
    (param $x i32) (param $out i32) (param $mean i32) (param $factor i32) (param $offset i32) (param $hasOffset i32)
    (param $rows i32) (param $c i32)
    (local $r i32) (local $ch i32) (local $vectorC i32) (local $y v128) (local $t f32) (local $k i32)
    (local.set $vectorC (i32.and (local.get $c) (i32.const -4)))
    (block $rowDone (loop $rowLoop
      (br_if $rowDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $ch (i32.const 0))
      (block $vecDone (loop $vecLoop
        (br_if $vecDone (i32.ge_u (local.get $ch) (local.get $vectorC)))
        (local.set $k (i32.shl (local.get $ch) (i32.const 2)))
        (local.set $y (f32x4.mul
          (f32x4.sub (v128.load (local.get $x)) (v128.load (i32.add (local.get $mean) (local.get $k))))
          (v128.load (i32.add (local.get $factor) (local.get $k)))))
        (if (local.get $hasOffset)
          (then (local.set $y (f32x4.add (local.get $y) (v128.load (i32.add (local.get $offset) (local.get $k)))))))
        (v128.store (local.get $out) (local.get $y))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
        (br $vecLoop)))
      (block $tailDone (loop $tailLoop
        (br_if $tailDone (i32.ge_u (local.get $ch) (local.get $c)))
        (local.set $k (i32.shl (local.get $ch) (i32.const 2)))
        (local.set $t (f32.mul
          (f32.sub (f32.load (local.get $x)) (f32.load (i32.add (local.get $mean) (local.get $k))))
          (f32.load (i32.add (local.get $factor) (local.get $k)))))
        (if (local.get $hasOffset)
          (then (local.set $t (f32.add (local.get $t) (f32.load (i32.add (local.get $offset) (local.get $k)))))))
        (f32.store (local.get $out) (local.get $t))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
        (br $tailLoop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rowLoop))))

  ;; Copies a dense [outer, rows, cols] grid of pixels (pixelBytes each) from src to strided places in dst: pixel
  ;; (i, r, q) goes to dst + i·imageBytes + r·rowBytes + q·colBytes. Places a strided convolution phase into dx.
  (func (export "scatter_pixels")
    (param $src i32) (param $dst i32) (param $outer i32) (param $rows i32) (param $cols i32)
    (param $pixelBytes i32) (param $imageBytes i32) (param $rowBytes i32) (param $colBytes i32)
    (local $i i32) (local $r i32) (local $q i32) (local $d i32)
    (block $imageDone (loop $imageLoop
      (br_if $imageDone (i32.ge_u (local.get $i) (local.get $outer)))
      (local.set $r (i32.const 0))
      (block $rowDone (loop $rowLoop
        (br_if $rowDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $d (i32.add (local.get $dst)
          (i32.add (i32.mul (local.get $i) (local.get $imageBytes)) (i32.mul (local.get $r) (local.get $rowBytes)))))
        (local.set $q (local.get $cols))
        (block $colDone (loop $colLoop
          (br_if $colDone (i32.eqz (local.get $q)))
          (call $copy (local.get $d) (local.get $src) (local.get $pixelBytes))
          (local.set $src (i32.add (local.get $src) (local.get $pixelBytes)))
          (local.set $d (i32.add (local.get $d) (local.get $colBytes)))
          (local.set $q (i32.sub (local.get $q) (i32.const 1)))
          (br $colLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $imageLoop))))

  ;; The transposed im2col matrix of a convolution's filter gradient, for images [n0, n0 + count) of a batch:
  ;; cols[(a, b, c), (img, r, q)] = xT[c, n0 + img, r·sh + a·dh − top, q·sw + b·dw − left], zero outside the image,
  ;; with xT the input as [ci, batch, h, w] (float32). cols has kh·kw·ci rows of count·oh·ow values.
  (func (export "filter_gradient_columns")
    (param $xT i32) (param $cols i32) (param $n0 i32) (param $count i32) (param $batch i32)
    (param $h i32) (param $w i32) (param $ci i32) (param $oh i32) (param $ow i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $top i32) (param $left i32)
    (local $a i32) (local $b i32) (local $c i32) (local $img i32) (local $r i32) (local $q i32)
    (local $off i32) (local $lo i32) (local $hi i32) (local $span i32) (local $ih i32)
    (local $d i32) (local $s i32) (local $rowBytes i32) (local $srcStep i32)
    (local.set $rowBytes (i32.shl (local.get $ow) (i32.const 2)))
    (local.set $srcStep (i32.shl (local.get $sw) (i32.const 2)))
    (local.set $d (local.get $cols))
    (block $aDone (loop $aLoop
      (br_if $aDone (i32.ge_u (local.get $a) (local.get $kh)))
      (local.set $b (i32.const 0))
      (block $bDone (loop $bLoop
        (br_if $bDone (i32.ge_u (local.get $b) (local.get $kw)))
        ;; output columns whose input column q·sw + off is inside the row: [lo, hi)
        (local.set $off (i32.sub (i32.mul (local.get $b) (local.get $dw)) (local.get $left)))
        (local.set $lo (i32.const 0))
        (if (i32.lt_s (local.get $off) (i32.const 0))
          (then (local.set $lo (i32.div_s
            (i32.add (i32.sub (i32.const 0) (local.get $off)) (i32.sub (local.get $sw) (i32.const 1)))
            (local.get $sw)))))
        (if (i32.gt_s (local.get $lo) (local.get $ow)) (then (local.set $lo (local.get $ow))))
        (local.set $span (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $off)))
        (local.set $hi (i32.const 0))
        (if (i32.ge_s (local.get $span) (i32.const 0))
          (then (local.set $hi (i32.add (i32.div_s (local.get $span) (local.get $sw)) (i32.const 1)))))
        (if (i32.gt_s (local.get $hi) (local.get $ow)) (then (local.set $hi (local.get $ow))))
        (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
        (local.set $c (i32.const 0))
        (block $cDone (loop $cLoop
          (br_if $cDone (i32.ge_u (local.get $c) (local.get $ci)))
          (local.set $img (i32.const 0))
          (block $imgDone (loop $imgLoop
            (br_if $imgDone (i32.ge_u (local.get $img) (local.get $count)))
            (local.set $r (i32.const 0))
            (block $rowDone (loop $rowLoop
              (br_if $rowDone (i32.ge_u (local.get $r) (local.get $oh)))
              (local.set $ih (i32.sub
                (i32.add (i32.mul (local.get $r) (local.get $sh)) (i32.mul (local.get $a) (local.get $dh)))
                (local.get $top)))
              (if (i32.or (i32.lt_s (local.get $ih) (i32.const 0)) (i32.ge_s (local.get $ih) (local.get $h)))
                (then (call $zero (local.get $d) (local.get $rowBytes)))
                (else
                  (call $zero (local.get $d) (i32.shl (local.get $lo) (i32.const 2)))
                  (call $zero
                    (i32.add (local.get $d) (i32.shl (local.get $hi) (i32.const 2)))
                    (i32.shl (i32.sub (local.get $ow) (local.get $hi)) (i32.const 2)))
                  ;; source of column lo: xT[c, n0 + img, ih, lo·sw + off]
                  (local.set $s (i32.add (local.get $xT) (i32.shl
                    (i32.add
                      (i32.mul
                        (i32.add
                          (i32.mul (i32.add (i32.mul (local.get $c) (local.get $batch)) (i32.add (local.get $n0) (local.get $img))) (local.get $h))
                          (local.get $ih))
                        (local.get $w))
                      (i32.add (i32.mul (local.get $lo) (local.get $sw)) (local.get $off)))
                    (i32.const 2))))
                  (if (i32.eq (local.get $sw) (i32.const 1))
                    (then (memory.copy
                      (i32.add (local.get $d) (i32.shl (local.get $lo) (i32.const 2)))
                      (local.get $s)
                      (i32.shl (i32.sub (local.get $hi) (local.get $lo)) (i32.const 2))))
                    (else
                      (local.set $q (local.get $lo))
                      (block $qDone (loop $qLoop
                        (br_if $qDone (i32.ge_s (local.get $q) (local.get $hi)))
                        (f32.store (i32.add (local.get $d) (i32.shl (local.get $q) (i32.const 2))) (f32.load (local.get $s)))
                        (local.set $s (i32.add (local.get $s) (local.get $srcStep)))
                        (local.set $q (i32.add (local.get $q) (i32.const 1)))
                        (br $qLoop)))))))
              (local.set $d (i32.add (local.get $d) (local.get $rowBytes)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $rowLoop)))
            (local.set $img (i32.add (local.get $img) (i32.const 1)))
            (br $imgLoop)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cLoop)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bLoop)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $aLoop))))

  ;; dst[i] = src[i] for n uint8 (bool) values widened to float32.
  (func (export "cast_u8_to_f32") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $v v128) (local $half v128)
    (local.set $end (i32.add (local.get $src) (i32.and (local.get $n) (i32.const -16))))
    (block $vecDone (loop $vecLoop
      (br_if $vecDone (i32.ge_u (local.get $src) (local.get $end)))
      (local.set $v (v128.load (local.get $src)))
      (local.set $half (i16x8.extend_low_i8x16_u (local.get $v)))
      (v128.store (local.get $dst) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $half))))
      (v128.store offset=16 (local.get $dst) (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $half))))
      (local.set $half (i16x8.extend_high_i8x16_u (local.get $v)))
      (v128.store offset=32 (local.get $dst) (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $half))))
      (v128.store offset=48 (local.get $dst) (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $half))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
      (br $vecLoop)))
    (local.set $end (i32.add (local.get $end) (i32.and (local.get $n) (i32.const 15))))
    (block $tailDone (loop $tailLoop
      (br_if $tailDone (i32.ge_u (local.get $src) (local.get $end)))
      (f32.store (local.get $dst) (f32.convert_i32_u (i32.load8_u (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 1)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $tailLoop))))

  ;; dst[i] = src[i] for n int32 values converted to float32 (round to nearest, as a typed-array copy does).
  (func (export "cast_i32_to_f32") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vecDone (loop $vecLoop
      (br_if $vecDone (i32.ge_u (local.get $src) (local.get $end)))
      (v128.store (local.get $dst) (f32x4.convert_i32x4_s (v128.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $vecLoop)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $tailDone (loop $tailLoop
      (br_if $tailDone (i32.ge_u (local.get $src) (local.get $end)))
      (f32.store (local.get $dst) (f32.convert_i32_s (i32.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $tailLoop))))

  ;; dst[b, c, r] = src[b, r, c] for `batch` row-major matrices of rows x cols 32-bit values: 4x4 tiles transposed
  ;; in registers, in strips of 64 columns so the destination lines being filled stay in cache.
  (func (export "transpose_32") (param $src i32) (param $dst i32) (param $batch i32) (param $rows i32) (param $cols i32)
    (local $b i32) (local $r i32) (local $c i32) (local $c0 i32) (local $cEnd i32) (local $rows4 i32) (local $cols4 i32)
    (local $rowBytes i32) (local $colBytes i32) (local $p i32) (local $q i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2)))
    (block $batchDone (loop $batchLoop
      (br_if $batchDone (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $c0 (i32.const 0))
      (block $stripDone (loop $stripLoop
        (br_if $stripDone (i32.ge_u (local.get $c0) (local.get $cols4)))
        (local.set $cEnd (i32.add (local.get $c0) (i32.const 64)))
        (if (i32.gt_u (local.get $cEnd) (local.get $cols4)) (then (local.set $cEnd (local.get $cols4))))
        (local.set $r (i32.const 0))
        (block $rowDone (loop $rowLoop
          (br_if $rowDone (i32.ge_u (local.get $r) (local.get $rows4)))
          (local.set $c (local.get $c0))
          (block $tileDone (loop $tileLoop
            (br_if $tileDone (i32.ge_u (local.get $c) (local.get $cEnd)))
            (local.set $p (i32.add (local.get $src)
              (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2))))
            (local.set $v0 (v128.load (local.get $p)))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $v1 (v128.load (local.get $p)))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $v2 (v128.load (local.get $p)))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $v3 (v128.load (local.get $p)))
            ;; lanes (0, 4, 1, 5) and (2, 6, 3, 7) of row pairs, then (0, 1, 4, 5) and (2, 3, 6, 7) of those
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
            (local.set $q (i32.add (local.get $dst)
              (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
            (v128.store (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (local.set $q (i32.add (local.get $q) (local.get $colBytes)))
            (v128.store (local.get $q) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (local.set $q (i32.add (local.get $q) (local.get $colBytes)))
            (v128.store (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (local.set $q (i32.add (local.get $q) (local.get $colBytes)))
            (v128.store (local.get $q) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $tileLoop)))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (br $rowLoop)))
        (local.set $c0 (local.get $cEnd))
        (br $stripLoop)))
      ;; the last rows % 4 rows, for the columns the tiles covered
      (local.set $r (local.get $rows4))
      (block $rowTailDone (loop $rowTailLoop
        (br_if $rowTailDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $rtcDone (loop $rtcLoop
          (br_if $rtcDone (i32.ge_u (local.get $c) (local.get $cols4)))
          (i32.store
            (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
            (i32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $rtcLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowTailLoop)))
      ;; the last cols % 4 columns, every row
      (local.set $c (local.get $cols4))
      (block $colTailDone (loop $colTailLoop
        (br_if $colTailDone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $r (i32.const 0))
        (block $ctrDone (loop $ctrLoop
          (br_if $ctrDone (i32.ge_u (local.get $r) (local.get $rows)))
          (i32.store
            (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
            (i32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $ctrLoop)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $colTailLoop)))
      (local.set $src (i32.add (local.get $src) (i32.mul (local.get $rows) (local.get $rowBytes))))
      (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $rows) (local.get $rowBytes))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $batchLoop))))

  ;; Depthwise (multiplier 1) input gradient by scattering: dx[n, ih, iw, c] += dy[n, oh, ow, c] · w[kh, kw, c] with
  ;; ih = oh·sh + kh·dh − top and iw = ow·sw + kw·dw − left inside the image. dx [n, h, w, c] is zeroed first.
  (func (export "depthwise_input_grad")
    (param $dy i32) (param $filter i32) (param $dx i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32) (param $oh i32) (param $ow i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $top i32) (param $left i32)
    (local $img i32) (local $row i32) (local $a i32) (local $b i32) (local $ih i32) (local $off i32)
    (local $lo i32) (local $hi i32) (local $span i32) (local $ch i32) (local $col i32)
    (local $px i32) (local $pd i32) (local $xRow i32) (local $dyRow i32) (local $tap i32)
    (local $xStep i32) (local $dyStep i32) (local $vectorC i32)
    (call $zero (local.get $dx)
      (i32.shl (i32.mul (i32.mul (i32.mul (local.get $n) (local.get $h)) (local.get $w)) (local.get $c)) (i32.const 2)))
    (local.set $vectorC (i32.and (local.get $c) (i32.const -4)))
    (local.set $dyStep (i32.shl (local.get $c) (i32.const 2)))
    (local.set $xStep (i32.mul (local.get $sw) (local.get $dyStep)))
    (block $imgDone (loop $imgLoop
      (br_if $imgDone (i32.ge_u (local.get $img) (local.get $n)))
      (local.set $row (i32.const 0))
      (block $rowDone (loop $rowLoop
        (br_if $rowDone (i32.ge_u (local.get $row) (local.get $oh)))
        (local.set $dyRow (i32.add (local.get $dy)
          (i32.mul (i32.mul (i32.add (i32.mul (local.get $img) (local.get $oh)) (local.get $row)) (local.get $ow)) (local.get $dyStep))))
        (local.set $a (i32.const 0))
        (block $aDone (loop $aLoop
          (br_if $aDone (i32.ge_u (local.get $a) (local.get $kh)))
          (local.set $ih (i32.sub
            (i32.add (i32.mul (local.get $row) (local.get $sh)) (i32.mul (local.get $a) (local.get $dh)))
            (local.get $top)))
          (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $h)))
            (then
              (local.set $xRow (i32.add (local.get $dx)
                (i32.mul (i32.mul (i32.add (i32.mul (local.get $img) (local.get $h)) (local.get $ih)) (local.get $w)) (local.get $dyStep))))
              (local.set $b (i32.const 0))
              (block $bDone (loop $bLoop
                (br_if $bDone (i32.ge_u (local.get $b) (local.get $kw)))
                (local.set $off (i32.sub (i32.mul (local.get $b) (local.get $dw)) (local.get $left)))
                (local.set $lo (i32.const 0))
                (if (i32.lt_s (local.get $off) (i32.const 0))
                  (then (local.set $lo (i32.div_s
                    (i32.add (i32.sub (i32.const 0) (local.get $off)) (i32.sub (local.get $sw) (i32.const 1)))
                    (local.get $sw)))))
                (local.set $span (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $off)))
                (local.set $hi (i32.const 0))
                (if (i32.ge_s (local.get $span) (i32.const 0))
                  (then (local.set $hi (i32.add (i32.div_s (local.get $span) (local.get $sw)) (i32.const 1)))))
                (if (i32.gt_s (local.get $hi) (local.get $ow)) (then (local.set $hi (local.get $ow))))
                (if (i32.lt_s (local.get $lo) (local.get $hi))
                  (then
                    (local.set $tap (i32.add (local.get $filter)
                      (i32.shl (i32.mul (i32.add (i32.mul (local.get $a) (local.get $kw)) (local.get $b)) (local.get $c)) (i32.const 2))))
                    ;; pixel by pixel, all channels of a pixel contiguous in dx, dy and the filter tap
                    (local.set $px (i32.add (local.get $xRow)
                      (i32.mul (i32.add (i32.mul (local.get $lo) (local.get $sw)) (local.get $off)) (local.get $dyStep))))
                    (local.set $pd (i32.add (local.get $dyRow) (i32.mul (local.get $lo) (local.get $dyStep))))
                    (local.set $col (i32.sub (local.get $hi) (local.get $lo)))
                    (loop $colLoop
                      (local.set $ch (i32.const 0))
                      (block $vecDone (loop $vecLoop
                        (br_if $vecDone (i32.ge_u (local.get $ch) (local.get $vectorC)))
                        (local.set $span (i32.shl (local.get $ch) (i32.const 2)))
                        (v128.store (i32.add (local.get $px) (local.get $span))
                          (f32x4.add (v128.load (i32.add (local.get $px) (local.get $span)))
                            (f32x4.mul (v128.load (i32.add (local.get $pd) (local.get $span)))
                              (v128.load (i32.add (local.get $tap) (local.get $span))))))
                        (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                        (br $vecLoop)))
                      (block $tailDone (loop $tailLoop
                        (br_if $tailDone (i32.ge_u (local.get $ch) (local.get $c)))
                        (local.set $span (i32.shl (local.get $ch) (i32.const 2)))
                        (f32.store (i32.add (local.get $px) (local.get $span))
                          (f32.add (f32.load (i32.add (local.get $px) (local.get $span)))
                            (f32.mul (f32.load (i32.add (local.get $pd) (local.get $span)))
                              (f32.load (i32.add (local.get $tap) (local.get $span))))))
                        (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                        (br $tailLoop)))
                      (local.set $px (i32.add (local.get $px) (local.get $xStep)))
                      (local.set $pd (i32.add (local.get $pd) (local.get $dyStep)))
                      (local.set $col (i32.sub (local.get $col) (i32.const 1)))
                      (br_if $colLoop (local.get $col)))))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $bLoop)))))
          (local.set $a (i32.add (local.get $a) (i32.const 1)))
          (br $aLoop)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rowLoop)))
      (local.set $img (i32.add (local.get $img) (i32.const 1)))
      (br $imgLoop))))

  ;; Max-pool gradient, once per output window: dx[arg max of the window] += dy[n, oh, ow, c], where the window's
  ;; taps are x[n, oh·sh + a·dh − top, ow·sw + b·dw − left, c] inside the image. Four channels are compared at
  ;; a time, branch-free; a tap replaces the best only when strictly greater, in row-major tap order, so ties go to
  ;; the first maximum (as on the cpu backend) and NaN never wins. A window with no tap inside the image, or whose
  ;; taps are all -inf or NaN, adds nothing. dx [n, h, w, c] is zeroed first; windows may overlap.
  (func (export "max_pool_grad")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $n i32) (param $h i32) (param $w i32) (param $c i32) (param $oh i32) (param $ow i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $top i32) (param $left i32)
    (local $img i32) (local $row i32) (local $col i32) (local $aLo i32) (local $aHi i32) (local $bLo i32)
    (local $bHi i32) (local $start i32) (local $pd i32) (local $ch i32) (local $vectorC i32) (local $pixelBytes i32)
    (local $tapColStep i32) (local $tapRowStep i32) (local $p i32) (local $q i32) (local $i i32) (local $j i32)
    (local $toDx i32) (local $best v128) (local $at v128) (local $v v128) (local $m v128) (local $lane i32)
    (local $bestS f32) (local $atS i32) (local $vS f32)
    (call $zero (local.get $dx)
      (i32.shl (i32.mul (i32.mul (i32.mul (local.get $n) (local.get $h)) (local.get $w)) (local.get $c)) (i32.const 2)))
    (local.set $vectorC (i32.and (local.get $c) (i32.const -4)))
    (local.set $pixelBytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $tapColStep (i32.mul (local.get $dw) (local.get $pixelBytes)))
    (local.set $tapRowStep (i32.mul (i32.mul (local.get $dh) (local.get $w)) (local.get $pixelBytes)))
    (local.set $toDx (i32.sub (local.get $dx) (local.get $x)))
    (local.set $pd (local.get $dy))
    (block $imgDone (loop $imgLoop
      (br_if $imgDone (i32.ge_u (local.get $img) (local.get $n)))
      (local.set $row (i32.const 0))
      (block $rowDone (loop $rowLoop
        (br_if $rowDone (i32.ge_u (local.get $row) (local.get $oh)))
        ;; the window's rows inside the image: a in [aLo, aHi)
        (local.set $aLo (i32.const 0))
        (block $aLoDone (loop $aLoLoop
          (br_if $aLoDone (i32.ge_s (local.get $aLo) (local.get $kh)))
          (br_if $aLoDone (i32.ge_s (i32.sub (i32.add (i32.mul (local.get $row) (local.get $sh))
            (i32.mul (local.get $aLo) (local.get $dh))) (local.get $top)) (i32.const 0)))
          (local.set $aLo (i32.add (local.get $aLo) (i32.const 1)))
          (br $aLoLoop)))
        (local.set $aHi (local.get $aLo))
        (block $aHiDone (loop $aHiLoop
          (br_if $aHiDone (i32.ge_s (local.get $aHi) (local.get $kh)))
          (br_if $aHiDone (i32.ge_s (i32.sub (i32.add (i32.mul (local.get $row) (local.get $sh))
            (i32.mul (local.get $aHi) (local.get $dh))) (local.get $top)) (local.get $h)))
          (local.set $aHi (i32.add (local.get $aHi) (i32.const 1)))
          (br $aHiLoop)))
        (local.set $col (i32.const 0))
        (block $colDone (loop $colLoop
          (br_if $colDone (i32.ge_u (local.get $col) (local.get $ow)))
          ;; and its columns: b in [bLo, bHi)
          (local.set $bLo (i32.const 0))
          (block $bLoDone (loop $bLoLoop
            (br_if $bLoDone (i32.ge_s (local.get $bLo) (local.get $kw)))
            (br_if $bLoDone (i32.ge_s (i32.sub (i32.add (i32.mul (local.get $col) (local.get $sw))
              (i32.mul (local.get $bLo) (local.get $dw))) (local.get $left)) (i32.const 0)))
            (local.set $bLo (i32.add (local.get $bLo) (i32.const 1)))
            (br $bLoLoop)))
          (local.set $bHi (local.get $bLo))
          (block $bHiDone (loop $bHiLoop
            (br_if $bHiDone (i32.ge_s (local.get $bHi) (local.get $kw)))
            (br_if $bHiDone (i32.ge_s (i32.sub (i32.add (i32.mul (local.get $col) (local.get $sw))
              (i32.mul (local.get $bHi) (local.get $dw))) (local.get $left)) (local.get $w)))
            (local.set $bHi (i32.add (local.get $bHi) (i32.const 1)))
            (br $bHiLoop)))
          (if (i32.and (i32.lt_s (local.get $aLo) (local.get $aHi)) (i32.lt_s (local.get $bLo) (local.get $bHi)))
            (then
              ;; the first tap inside the image, channel 0
              (local.set $start (i32.add (local.get $x) (i32.mul (local.get $pixelBytes)
                (i32.add (i32.mul (i32.add (i32.mul (local.get $img) (local.get $h))
                  (i32.sub (i32.add (i32.mul (local.get $row) (local.get $sh)) (i32.mul (local.get $aLo) (local.get $dh))) (local.get $top)))
                  (local.get $w))
                  (i32.sub (i32.add (i32.mul (local.get $col) (local.get $sw)) (i32.mul (local.get $bLo) (local.get $dw))) (local.get $left))))))
              (local.set $ch (i32.const 0))
              (block $vecDone (loop $vecLoop
                (br_if $vecDone (i32.ge_u (local.get $ch) (local.get $vectorC)))
                (local.set $best (v128.const f32x4 -inf -inf -inf -inf))
                (local.set $at (v128.const i32x4 -1 -1 -1 -1))
                (local.set $p (i32.add (local.get $start) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $i (local.get $aLo))
                (loop $tapRowLoop
                  (local.set $q (local.get $p))
                  (local.set $j (local.get $bLo))
                  (loop $tapColLoop
                    (local.set $v (v128.load (local.get $q)))
                    (local.set $m (f32x4.gt (local.get $v) (local.get $best)))
                    (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
                    (local.set $at (v128.bitselect (i32x4.splat (local.get $q)) (local.get $at) (local.get $m)))
                    (local.set $q (i32.add (local.get $q) (local.get $tapColStep)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br_if $tapColLoop (i32.lt_s (local.get $j) (local.get $bHi))))
                  (local.set $p (i32.add (local.get $p) (local.get $tapRowStep)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $tapRowLoop (i32.lt_s (local.get $i) (local.get $aHi))))
                ;; lane k's winner is at[k] + 4k in x; the same place in dx gets dy's lane k
                (local.set $q (i32.add (local.get $pd) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $lane (i32x4.extract_lane 0 (local.get $at)))
                (if (i32.ne (local.get $lane) (i32.const -1)) (then
                  (local.set $lane (i32.add (local.get $lane) (local.get $toDx)))
                  (f32.store (local.get $lane) (f32.add (f32.load (local.get $lane)) (f32.load (local.get $q))))))
                (local.set $lane (i32x4.extract_lane 1 (local.get $at)))
                (if (i32.ne (local.get $lane) (i32.const -1)) (then
                  (local.set $lane (i32.add (local.get $lane) (local.get $toDx)))
                  (f32.store offset=4 (local.get $lane) (f32.add (f32.load offset=4 (local.get $lane)) (f32.load offset=4 (local.get $q))))))
                (local.set $lane (i32x4.extract_lane 2 (local.get $at)))
                (if (i32.ne (local.get $lane) (i32.const -1)) (then
                  (local.set $lane (i32.add (local.get $lane) (local.get $toDx)))
                  (f32.store offset=8 (local.get $lane) (f32.add (f32.load offset=8 (local.get $lane)) (f32.load offset=8 (local.get $q))))))
                (local.set $lane (i32x4.extract_lane 3 (local.get $at)))
                (if (i32.ne (local.get $lane) (i32.const -1)) (then
                  (local.set $lane (i32.add (local.get $lane) (local.get $toDx)))
                  (f32.store offset=12 (local.get $lane) (f32.add (f32.load offset=12 (local.get $lane)) (f32.load offset=12 (local.get $q))))))
                (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                (br $vecLoop)))
              (block $tailDone (loop $tailLoop
                (br_if $tailDone (i32.ge_u (local.get $ch) (local.get $c)))
                (local.set $bestS (f32.const -inf))
                (local.set $atS (i32.const -1))
                (local.set $p (i32.add (local.get $start) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $i (local.get $aLo))
                (loop $tailRowLoop
                  (local.set $q (local.get $p))
                  (local.set $j (local.get $bLo))
                  (loop $tailColLoop
                    (local.set $vS (f32.load (local.get $q)))
                    (if (f32.gt (local.get $vS) (local.get $bestS)) (then
                      (local.set $bestS (local.get $vS))
                      (local.set $atS (local.get $q))))
                    (local.set $q (i32.add (local.get $q) (local.get $tapColStep)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br_if $tailColLoop (i32.lt_s (local.get $j) (local.get $bHi))))
                  (local.set $p (i32.add (local.get $p) (local.get $tapRowStep)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $tailRowLoop (i32.lt_s (local.get $i) (local.get $aHi))))
                (if (i32.ne (local.get $atS) (i32.const -1)) (then
                  (local.set $atS (i32.add (local.get $atS) (local.get $toDx)))
                  (f32.store (local.get $atS) (f32.add (f32.load (local.get $atS))
                    (f32.load (i32.add (local.get $pd) (i32.shl (local.get $ch) (i32.const 2))))))))
                (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                (br $tailLoop)))))
          (local.set $pd (i32.add (local.get $pd) (local.get $pixelBytes)))
          (local.set $col (i32.add (local.get $col) (i32.const 1)))
          (br $colLoop)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rowLoop)))
      (local.set $img (i32.add (local.get $img) (i32.const 1)))
      (br $imgLoop))))

  ;; The patch matrix of a convolution's filter gradient, for images [n0, n0 + count) of x [batch, h, w, ci]: row
  ;; p = (img, r, q) holds x[n0 + img, r·sh + a·dh − top, q·sw + b·dw − left, 0..ci) for every tap (a, b) in
  ;; row-major order (kh·kw·ci floats, the filter's [kh, kw, ci] order), zero outside the image, then zeros up to
  ;; `cp` floats (cp ≥ kh·kw·ci). dW [taps, co] = patchᵀ · dy [pixels, co] is then one product reading both as they lie.
  (func (export "patch_rows")
    (param $x i32) (param $out i32) (param $n0 i32) (param $count i32)
    (param $h i32) (param $w i32) (param $ci i32) (param $oh i32) (param $ow i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $top i32) (param $left i32) (param $cp i32)
    (local $img i32) (local $r i32) (local $q i32) (local $a i32) (local $b i32) (local $ih i32) (local $iw0 i32)
    (local $bLo i32) (local $bHi i32) (local $d i32) (local $pixelBytes i32) (local $tapRowBytes i32)
    (local $padBytes i32) (local $imgBase i32) (local $rowBase i32)
    (local.set $pixelBytes (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $tapRowBytes (i32.mul (local.get $kw) (local.get $pixelBytes)))
    (local.set $padBytes (i32.shl
      (i32.sub (local.get $cp) (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $ci))) (i32.const 2)))
    (local.set $d (local.get $out))
    (block $imgDone (loop $imgLoop
      (br_if $imgDone (i32.ge_u (local.get $img) (local.get $count)))
      (local.set $imgBase (i32.add (local.get $x) (i32.mul (i32.add (local.get $n0) (local.get $img))
        (i32.mul (i32.mul (local.get $h) (local.get $w)) (local.get $pixelBytes)))))
      (local.set $r (i32.const 0))
      (block $rowDone (loop $rowLoop
        (br_if $rowDone (i32.ge_u (local.get $r) (local.get $oh)))
        (local.set $q (i32.const 0))
        (block $colDone (loop $colLoop
          (br_if $colDone (i32.ge_u (local.get $q) (local.get $ow)))
          ;; the taps whose column is inside the image: b in [bLo, bHi)
          (local.set $iw0 (i32.sub (i32.mul (local.get $q) (local.get $sw)) (local.get $left)))
          (local.set $bLo (i32.const 0))
          (block $bLoDone (loop $bLoLoop
            (br_if $bLoDone (i32.ge_s (local.get $bLo) (local.get $kw)))
            (br_if $bLoDone (i32.ge_s (i32.add (local.get $iw0) (i32.mul (local.get $bLo) (local.get $dw))) (i32.const 0)))
            (local.set $bLo (i32.add (local.get $bLo) (i32.const 1)))
            (br $bLoLoop)))
          (local.set $bHi (local.get $bLo))
          (block $bHiDone (loop $bHiLoop
            (br_if $bHiDone (i32.ge_s (local.get $bHi) (local.get $kw)))
            (br_if $bHiDone (i32.ge_s (i32.add (local.get $iw0) (i32.mul (local.get $bHi) (local.get $dw))) (local.get $w)))
            (local.set $bHi (i32.add (local.get $bHi) (i32.const 1)))
            (br $bHiLoop)))
          (local.set $a (i32.const 0))
          (block $aDone (loop $aLoop
            (br_if $aDone (i32.ge_u (local.get $a) (local.get $kh)))
            (local.set $ih (i32.sub (i32.add (i32.mul (local.get $r) (local.get $sh)) (i32.mul (local.get $a) (local.get $dh)))
              (local.get $top)))
            (if (i32.or (i32.lt_s (local.get $ih) (i32.const 0)) (i32.ge_s (local.get $ih) (local.get $h)))
              (then (call $zero (local.get $d) (local.get $tapRowBytes)))
              (else
                (local.set $rowBase (i32.add (local.get $imgBase)
                  (i32.mul (i32.mul (local.get $ih) (local.get $w)) (local.get $pixelBytes))))
                (call $zero (local.get $d) (i32.mul (local.get $bLo) (local.get $pixelBytes)))
                (if (i32.eq (local.get $dw) (i32.const 1))
                  (then
                    ;; undilated: the taps inside the image are one run of pixels in x
                    (call $copy
                      (i32.add (local.get $d) (i32.mul (local.get $bLo) (local.get $pixelBytes)))
                      (i32.add (local.get $rowBase) (i32.mul (i32.add (local.get $iw0) (local.get $bLo)) (local.get $pixelBytes)))
                      (i32.mul (i32.sub (local.get $bHi) (local.get $bLo)) (local.get $pixelBytes))))
                  (else
                    (local.set $b (local.get $bLo))
                    (block $bDone (loop $bLoop
                      (br_if $bDone (i32.ge_s (local.get $b) (local.get $bHi)))
                      (call $copy
                        (i32.add (local.get $d) (i32.mul (local.get $b) (local.get $pixelBytes)))
                        (i32.add (local.get $rowBase) (i32.mul
                          (i32.add (local.get $iw0) (i32.mul (local.get $b) (local.get $dw))) (local.get $pixelBytes)))
                        (local.get $pixelBytes))
                      (local.set $b (i32.add (local.get $b) (i32.const 1)))
                      (br $bLoop)))))
                (call $zero (i32.add (local.get $d) (i32.mul (local.get $bHi) (local.get $pixelBytes)))
                  (i32.mul (i32.sub (local.get $kw) (local.get $bHi)) (local.get $pixelBytes)))))
            (local.set $d (i32.add (local.get $d) (local.get $tapRowBytes)))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $aLoop)))
          (call $zero (local.get $d) (local.get $padBytes))
          (local.set $d (i32.add (local.get $d) (local.get $padBytes)))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br $colLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop)))
      (local.set $img (i32.add (local.get $img) (i32.const 1)))
      (br $imgLoop))))
)
