"""py_eacopy: GitFleet's file-copy engine. The engine and its API arrive with their own issue;
this package exists so that the build ships both import names from day one."""

__all__: list[str] = []
