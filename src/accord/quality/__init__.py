"""accord.quality: agreement, truth inference, matching and gold scoring (pure NumPy/SciPy).

Annotations come in long format: a DataFrame whose first three columns are item, annotator and
value, or a tuple ``(items, annotators, values)``; missing values are dropped. See
``docs/quality.md`` for formulas, citations and examples.

>>> from accord.quality import dawid_skene, krippendorff_alpha
>>> data = (["a", "a", "b", "b"], ["x", "y", "x", "y"], [1, 1, 0, 1])
>>> round(krippendorff_alpha(data), 3)
0.0
>>> majority_vote(data).as_dict()
{'a': 1, 'b': 0}
"""

from accord.quality.agreement import (
    AgreementReport,
    PairAgreement,
    agreement_report,
    gwet_ac1,
    pairwise_kappa,
    percent_agreement,
)
from accord.quality.bootstrap import bootstrap_ci
from accord.quality.box_fusion import FusedBoxes, fuse_boxes
from accord.quality.boxes import box_iou, rotated_box_iou
from accord.quality.continuous import RobustConsensus, robust_mean
from accord.quality.data import Categorical, Numeric, as_categorical, as_numeric
from accord.quality.dawid_skene import dawid_skene, one_coin_dawid_skene
from accord.quality.errors import UndefinedStatisticError
from accord.quality.glad import glad
from accord.quality.gold import GoldScores, annotator_accuracy, annotator_scores, wilson_interval
from accord.quality.kappa import cohen_kappa, fleiss_kappa
from accord.quality.keypoints import keypoint_oks
from accord.quality.krippendorff import krippendorff_alpha
from accord.quality.mace import mace
from accord.quality.masks import mask_iou, rle_area, rle_decode, rle_encode
from accord.quality.matching import (
    BatchMatch,
    Match,
    match_boxes,
    match_boxes_batched,
    match_similarity,
    precision_recall_f1,
)
from accord.quality.pairwise import PairwiseScores, bradley_terry
from accord.quality.polygons import polygon_area, polygon_iou
from accord.quality.results import Aggregation
from accord.quality.spans import span_f1, span_token_vote
from accord.quality.text import TextMedoids, cer, edit_distance, text_medoid, wer
from accord.quality.voting import majority_vote, wawa

__all__ = [
    "Aggregation",
    "AgreementReport",
    "BatchMatch",
    "Categorical",
    "FusedBoxes",
    "GoldScores",
    "Match",
    "Numeric",
    "PairAgreement",
    "PairwiseScores",
    "RobustConsensus",
    "TextMedoids",
    "UndefinedStatisticError",
    "agreement_report",
    "annotator_accuracy",
    "annotator_scores",
    "as_categorical",
    "as_numeric",
    "bootstrap_ci",
    "box_iou",
    "bradley_terry",
    "cer",
    "cohen_kappa",
    "dawid_skene",
    "edit_distance",
    "fleiss_kappa",
    "fuse_boxes",
    "glad",
    "gwet_ac1",
    "keypoint_oks",
    "krippendorff_alpha",
    "mace",
    "majority_vote",
    "mask_iou",
    "match_boxes",
    "match_boxes_batched",
    "match_similarity",
    "one_coin_dawid_skene",
    "pairwise_kappa",
    "percent_agreement",
    "polygon_area",
    "polygon_iou",
    "precision_recall_f1",
    "rle_area",
    "rle_decode",
    "rle_encode",
    "robust_mean",
    "rotated_box_iou",
    "span_f1",
    "span_token_vote",
    "text_medoid",
    "wawa",
    "wer",
    "wilson_interval",
]
