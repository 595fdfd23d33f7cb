"""Throttled attempts: what a request counted against its limits, given back when it should not count."""

import logging

from limits.strategies import FixedWindowRateLimiter

from lms.extensions import limiter

log = logging.getLogger(__name__)


def refund_attempt() -> None:
    """Give back what this request counted, except on a limit it broke: a success, or a refusal by another limit."""
    counter = limiter.limiter
    if not isinstance(counter, FixedWindowRateLimiter):
        return  # only a fixed window (the default strategy) counts in a way that can be given back
    try:
        for counted in limiter.current_limits:
            if not counted.breached and counter.storage.get(counted.key) > 0:
                counter.storage.incr(counted.key, counted.limit.get_expiry(), amount=-1)
    except Exception:  # the store is failing: the owner loses one attempt, the page still answers
        log.warning("Could not give back a counted attempt", exc_info=True)
