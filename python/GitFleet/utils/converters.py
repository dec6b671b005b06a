"""Conversions of the models (dicts, JSON, pandas DataFrames)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

__all__ = ["to_dict", "to_json", "to_dataframe", "flatten_dataframe"]


def to_dict(obj: Any, *, include_raw: bool = False) -> Any:
    """Models (alone, in lists or dicts) as plain Python data; ``raw_data`` left out unless asked."""
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json", exclude=None if include_raw else {"raw_data"})
    if isinstance(obj, dict):
        return {k: to_dict(v, include_raw=include_raw) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v, include_raw=include_raw) for v in obj]
    return obj


def to_json(obj: Any, *, indent: int | None = 2, include_raw: bool = False) -> str:
    return json.dumps(to_dict(obj, include_raw=include_raw), indent=indent, ensure_ascii=False)


def to_dataframe(data: Any) -> Any:
    """A pandas DataFrame of one model or a list of them (nested models become dict columns;
    see :func:`flatten_dataframe`). Needs pandas: ``pip install 'GitFleet[pandas]'``."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_dataframe needs pandas: pip install 'GitFleet[pandas]'") from None
    rows = to_dict([data] if isinstance(data, BaseModel) else list(data))
    return pd.DataFrame(rows)


def flatten_dataframe(df: Any, sep: str = ".") -> Any:
    """Dict columns spread into ``parent.child`` columns, recursively."""
    import pandas as pd

    while True:
        nested = [c for c in df.columns if df[c].map(lambda v: isinstance(v, dict)).any()]
        if not nested:
            return df
        for column in nested:
            expanded = pd.json_normalize(df[column].map(lambda v: v if isinstance(v, dict) else {}).tolist(), sep=sep)
            expanded.columns = [f"{column}{sep}{c}" for c in expanded.columns]
            expanded.index = df.index
            df = pd.concat([df.drop(columns=[column]), expanded], axis=1)
