"""Celery tasks of the returns app: thin, each calling one function."""

from celery import shared_task

from returns import polling


@shared_task(name="returns.poll_returns", ignore_result=True)
def poll_returns() -> int:
    """Read the marketplaces' returns (returns.polling.poll_all_returns); safe to run twice."""
    return polling.poll_all_returns()
