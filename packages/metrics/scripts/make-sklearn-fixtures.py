#!/usr/bin/python3
"""Writes test/fixtures/sklearn-reference.json: scikit-learn's outputs on seeded random cases.

Run with Debian's interpreter (scikit-learn 1.2.1):  /usr/bin/python3 scripts/make-sklearn-fixtures.py [out.json]
The tests compare @fracture/metrics against this file; the file is committed so they run without Python.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn import metrics
from sklearn.calibration import calibration_curve
from sklearn.preprocessing import label_binarize


def arr(x):
    return np.asarray(x).tolist()


def label_metrics(y_true, y_pred, labels, target_names=None):
    out = {
        "confusion_matrix": arr(metrics.confusion_matrix(y_true, y_pred, labels=labels)),
        "confusion_matrix_reversed": arr(metrics.confusion_matrix(y_true, y_pred, labels=labels[::-1])),
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
        "matthews": metrics.matthews_corrcoef(y_true, y_pred),
        "kappa": {w or "none": metrics.cohen_kappa_score(y_true, y_pred, labels=labels, weights=w)
                  for w in (None, "linear", "quadratic")},
        "prfs": {},
        "report_text": metrics.classification_report(y_true, y_pred, labels=labels, target_names=target_names, zero_division=0),
        "report_text_digits4": metrics.classification_report(y_true, y_pred, labels=labels, digits=4, zero_division=0),
        "report_dict": metrics.classification_report(y_true, y_pred, labels=labels, target_names=target_names,
                                                     output_dict=True, zero_division=0),
    }
    for avg in (None, "macro", "weighted", "micro"):
        p, r, f, s = metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg, zero_division=0)
        out["prfs"][avg or "none"] = {"precision": arr(p), "recall": arr(r), "f1": arr(f),
                                      "support": None if s is None else arr(s)}
    return out


def binary_case(name, y, s):
    y = np.asarray(y, dtype=int)
    s = np.asarray(s, dtype=float)
    pred = (s >= 0.5).astype(int)
    case = {"name": name, "y_true": arr(y), "scores": arr(s), "y_pred": arr(pred)}
    case["labels"] = label_metrics(y, pred, [0, 1])
    case["brier"] = metrics.brier_score_loss(y, s)
    case["calibration"] = {}
    for n_bins in (5, 10):
        prob_true, prob_pred = calibration_curve(y, s, n_bins=n_bins, strategy="uniform")
        case["calibration"][str(n_bins)] = {"prob_true": arr(prob_true), "prob_pred": arr(prob_pred)}
    if len(np.unique(y)) == 2:
        fpr, tpr, thr = metrics.roc_curve(y, s)
        case["roc"] = {"fpr": arr(fpr), "tpr": arr(tpr), "thresholds": arr(thr)}
        fpr, tpr, thr = metrics.roc_curve(y, s, drop_intermediate=False)
        case["roc_all"] = {"fpr": arr(fpr), "tpr": arr(tpr), "thresholds": arr(thr)}
        fpr, tpr, thr = metrics.roc_curve(y, 1 - s, pos_label=0)
        case["roc_pos0"] = {"fpr": arr(fpr), "tpr": arr(tpr), "thresholds": arr(thr), "auc": metrics.auc(fpr, tpr)}
        case["roc_auc"] = metrics.roc_auc_score(y, s)
        p, r, t = metrics.precision_recall_curve(y, s)
        case["pr"] = {"precision": arr(p), "recall": arr(r), "thresholds": arr(t)}
        case["average_precision"] = metrics.average_precision_score(y, s)
        case["average_precision_pos0"] = metrics.average_precision_score(y, 1 - s, pos_label=0)
    return case


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def multiclass_case(name, y, logits, names=None):
    y = np.asarray(y, dtype=int)
    p = softmax(np.asarray(logits, dtype=float))
    pred = p.argmax(axis=1)
    labels = [0, 1, 2]
    case = {"name": name, "y_true": arr(y), "probs": arr(p), "y_pred": arr(pred), "target_names": names}
    case["labels"] = label_metrics(y, pred, labels, target_names=names)
    case["roc_auc_macro"] = metrics.roc_auc_score(y, p, multi_class="ovr", average="macro")
    case["roc_auc_weighted"] = metrics.roc_auc_score(y, p, multi_class="ovr", average="weighted")
    onehot = label_binarize(y, classes=labels)
    case["average_precision_macro"] = metrics.average_precision_score(onehot, p, average="macro")
    case["average_precision_weighted"] = metrics.average_precision_score(onehot, p, average="weighted")
    case["ovr"] = []
    for c in labels:
        fpr, tpr, thr = metrics.roc_curve(y == c, p[:, c])
        case["ovr"].append({"fpr": arr(fpr), "tpr": arr(tpr), "thresholds": arr(thr), "auc": metrics.auc(fpr, tpr)})
    prob_true, prob_pred = calibration_curve(pred == y, p.max(axis=1), n_bins=10)
    case["top_label_calibration"] = {"prob_true": arr(prob_true), "prob_pred": arr(prob_pred)}
    return case


def main():
    rng = np.random.default_rng(20240607)
    binary = []
    # Hand-checkable example from scikit-learn's documentation.
    binary.append(binary_case("docs-example", [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]))
    y = rng.integers(0, 2, 60)
    binary.append(binary_case("random-ties", y, np.clip(np.round(rng.uniform(0, 1, 60) * 0.7 + 0.3 * y, 1), 0, 1)))
    y = rng.integers(0, 2, 45)
    binary.append(binary_case("continuous", y, 1 / (1 + np.exp(-(rng.normal(0, 1, 45) + 1.2 * (y - 0.5))))))
    y = np.zeros(200, dtype=int)
    y[rng.choice(200, 10, replace=False)] = 1
    binary.append(binary_case("imbalanced-95-5", y, np.round(1 / (1 + np.exp(-(rng.normal(-1.5, 1, 200) + 1.5 * y))), 2)))
    y = rng.integers(0, 2, 30)
    binary.append(binary_case("perfect-separation", y, np.where(y == 1, rng.uniform(0.6, 1, 30), rng.uniform(0, 0.4, 30))))
    y = rng.integers(0, 2, 20)
    binary.append(binary_case("all-same-score", y, np.full(20, 0.5)))
    binary.append(binary_case("edges-on-bin-boundaries", [0, 1, 0, 1, 1, 0, 1, 0, 1, 1],
                              [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 0.9, 1.0]))

    multiclass = []
    y = rng.integers(0, 3, 90)
    logits = rng.integers(-2, 3, (90, 3)).astype(float)  # integer logits: tied probabilities
    logits[np.arange(90), y] += 1.5
    multiclass.append(multiclass_case("random-3-class-ties", y, logits, names=["fractured", "not fractured", "unsure"]))
    y = np.repeat([0, 1, 2], [80, 15, 5])
    rng.shuffle(y)
    logits = rng.normal(0, 1, (100, 3))
    logits[np.arange(100), y] += 1.0
    multiclass.append(multiclass_case("imbalanced-80-15-5", y, logits))

    a = rng.integers(0, 5, 80)
    b = np.clip(a + rng.integers(-1, 2, 80) * (rng.uniform(size=80) < 0.5), 0, 4)
    ordinal = {"a": arr(a), "b": arr(b), "labels": [0, 1, 2, 3, 4],
               "kappa": {w or "none": metrics.cohen_kappa_score(a, b, weights=w) for w in (None, "linear", "quadratic")}}

    ys = ["cat", "dog", "dog", "bird", "cat", "bird", "dog", "cat"]
    ps = ["cat", "dog", "cat", "bird", "bird", "bird", "dog", "dog"]
    strings = {"y_true": ys, "y_pred": ps, "labels": ["cat", "dog", "bird"],
               "report_text": metrics.classification_report(ys, ps, labels=["cat", "dog", "bird"]),
               "confusion_matrix": arr(metrics.confusion_matrix(ys, ps, labels=["cat", "dog", "bird"]))}

    out = {"sklearn_version": sklearn.__version__, "binary": binary, "multiclass": multiclass,
           "ordinal": ordinal, "strings": strings}
    path = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/sklearn-reference.json"
    with open(path, "w") as f:
        json.dump(out, f, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
