"""Collapse doubled slashes in Open311 paths.

Clients build URLs by gluing a configured base (often ending in "/") to a path
(often starting with "/"), so `/open311/v2//requests.json` arrives in practice.
Only paths under /open311/ are touched; everything else resolves as written.
"""

import re

SLASHES = re.compile(r"/{2,}")
PREFIX = "/open311/"


class CollapseOpen311SlashesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if "//" in path:
            collapsed = SLASHES.sub("/", path)
            if collapsed.startswith(PREFIX):
                request.path_info = collapsed
                request.path = request.path[: len(request.path) - len(path)] + collapsed
        return self.get_response(request)
