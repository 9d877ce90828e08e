"""Evaluation: backtests with no look-ahead, model comparison and sensitivity tables."""
