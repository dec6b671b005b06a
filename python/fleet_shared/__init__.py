"""What GitFleet and py_eacopy both need, in one place: path arguments checked as CPython's os
functions take them (:mod:`.paths`), and the bridge from native threads to asyncio
(:mod:`.async_bridge`). It imports neither package, so importing py_eacopy never loads GitFleet
(or libgit2)."""
