"""The memory model's offline side (no database): review logs, their replay and scoring, and the
per-learner parameter fit. Used by ``evaluate_scheduler``, ``fit_memory_models`` and tests."""
