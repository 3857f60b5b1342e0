"""Weekly planning: values, assignment across teams, diversity, quota pace, and issuing a week.

Public names are imported on first use, so that ``matcher --help`` stays fast.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "assign": ["Candidates", "prune", "assign_optimal", "assign_greedy", "assignment_total"],
        "issue": ["score_store", "week_history", "model_values", "issue_week"],
        "pace": ["quota_pace", "quota_by_city"],
        "solve": ["diversify", "solve_week"],
        "values": ["team_list", "team_values", "Adjustments", "adjust_values", "history_hash"],
        "week": ["WeeklyPlan", "plan_week", "weekly_plan"],
    },
)
