"""Helpers around the API: encrypted credentials (:mod:`.auth`), conversions to dicts, JSON and
DataFrames (:mod:`.converters`), client-side rate limiting (:mod:`.rate_limit`)."""

from .auth import CredentialInfo, CredentialManager
from .converters import flatten_dataframe, to_dataframe, to_dict, to_json
from .rate_limit import RateLimiter, gather_limited, rate_limited

__all__ = ["CredentialInfo", "CredentialManager", "to_dict", "to_json", "to_dataframe", "flatten_dataframe",
           "RateLimiter", "rate_limited", "gather_limited"]
