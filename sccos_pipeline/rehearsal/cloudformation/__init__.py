"""One stack of the cloud assembly: its template resolved, its intrinsics and its policies."""
