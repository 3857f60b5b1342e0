"""Learning from outcomes: pair features, models and blending, persistence, metrics and backtests.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "backtest": ["BacktestResult", "protocol_text", "run_backtest", "HistorySource", "SIM_START", "SIM_WEEKS", "SIM_VISIT_LIFT", "load_history", "train_and_save"],
        "metrics": ["precision_at_k", "recall_at_k", "ndcg_at_k", "map_at_k", "ranking_metrics", "roc_auc", "brier_score", "calibration_table", "coverage", "novelty"],
        "pairs": ["FEATURE_SETS", "MODEL_KINDS", "day_number", "monday_of", "PairFeatures", "make_estimator", "TrainedModel", "train_model", "blend", "blended_team_scores"],
        "persistence": ["MANIFEST", "ModelError", "models_folder", "read_manifest", "save_model", "model_card_markdown", "load_model", "read_card"],
        "curves": ["CURVE_METHODS", "DEFAULT_LENGTHS", "learning_curve", "world_learning_curve", "curve_summary"],
        "evidence": ["EVIDENCE_WEEKS", "blend_evidence", "supports_blend"],
        "office": ["OFFICE_FEATURES", "office_features", "anchor_fit", "campaign_on"],
        "pu": ["PU_FEATURES", "pu_features", "pu_cross_validate", "pu_study"],
        "validate": ["INVESTMENT_FIELDS", "KS", "METRICS", "N_BOOT", "SEED", "NONE_LIST", "Validation", "read_investments", "select_rows", "city_ranking", "rank_pairs", "pair_metrics", "summarise", "validate_investments"],
    },
)
