"""Celery tasks of the returns app: thin, each calling one function."""

from celery import shared_task

from returns import polling, return_tracking


@shared_task(name="returns.poll_returns", ignore_result=True)
def poll_returns() -> int:
    """Read the marketplaces' returns (returns.polling.poll_all_returns), then the carriers' tracking of
    the return parcels on their way (returns.return_tracking); safe to run twice."""
    read = polling.poll_all_returns()
    return_tracking.poll_return_parcels()
    return read
