"""Summaries: medians with their spread, Jain's fairness index."""

import statistics


def jain(xs):
    """Jain's fairness index: 1 when all equal, 1/n when one carries all."""
    xs = [float(x) for x in xs]
    sq = sum(x * x for x in xs)
    return (sum(xs) ** 2) / (len(xs) * sq) if sq > 0 else None


def spread(values):
    """median, min, max (and n) of the values that exist; None if none do.
    None values are counted apart: a failover that never recovered has
    no recovery time, and that must show, not vanish."""
    vals = [v for v in values if v is not None]
    out = {"n": len(values), "missing": len(values) - len(vals)}
    if vals:
        out.update(median=statistics.median(vals), min=min(vals), max=max(vals))
    else:
        out.update(median=None, min=None, max=None)
    return out


def spread_list(rows):
    """Element-wise spread of equally long lists (per-NIC figures)."""
    return [spread(list(col)) for col in zip(*rows)] if rows else []


def summarize(reps, keys, list_keys=()):
    """The spread of each key (and per-element for list_keys) over reps."""
    ok = [r for r in reps if not r.get("error")]
    s = {k: spread([r.get(k) for r in ok]) for k in keys}
    for k in list_keys:
        s[k] = spread_list([r[k] for r in ok if r.get(k) is not None])
    s["errors"] = len(reps) - len(ok)
    return s
