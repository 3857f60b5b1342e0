"""Entity resolution: name normalisation, aliases, blocking, comparison, the match model and the Resolver.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "aliases": ["ALIAS_COLUMNS", "AliasTable", "load_aliases"],
        "blocking": ["BLOCKS", "key_values", "block_index", "subset_rows", "candidate_pairs", "prune_pairs"],
        "compare": ["FEATURES", "PAIR_COLUMNS", "token_key", "token_keys", "token_matrix", "agree", "ratio", "pair_features", "token_similarity", "reasons"],
        "imports": ["import_list", "import_lists", "import_profiles"],
        "model": ["Trained", "match_model", "fit_pair_model", "background_frequencies", "match_probability"],
        "master": ["FINGERPRINT_KEY", "parse_fingerprint", "ensure_parsed_tables", "load_master", "attach_parsed", "token_counts", "name_token_counts"],
        "model_cache": ["cache_folder", "set_model_cache", "model_cache_key", "load_cached", "save_cached"],
        "names": ["resolve_enterprise_names"],
        "parsing": ["ParsingAhead", "parse_ahead", "parse_and_store"],
        "normalize": ["NAME_FIELDS", "GENERIC_ZH", "GENERIC_EN", "place_province", "syllables", "to_pinyin", "to_initials", "parse_names"],
        "records": ["REVIEW_COLUMNS", "master_names", "parsed_master_names", "resolve_incoming", "ResolveSummary", "resolve_store", "link_parents", "apply_review", "master_list"],
        "resolver": ["DECISIONS", "Resolver"],
        "synth": ["SYNTHETIC_LABEL", "synthetic_master", "synthetic_queries"],
    },
)
