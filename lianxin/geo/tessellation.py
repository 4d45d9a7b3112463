"""Invented outlines for a demo district: a jittered lattice cut into nested blocks.

A real district draws its grids on a survey; the demo has none, so it lays a
lattice of (rows+1) x (cols+1) vertices over a box, nudges every vertex a little
so that no edge is ruler-straight, and cuts it into blocks: a street is a block of
communities, a community a block of grids, a grid one cell (or two). Neighbours
share their vertices, so outlines meet without gaps or overlaps. Plain Python.

Points are (latitude, longitude); GeoJSON rings are [longitude, latitude] pairs.
"""

import random
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Lattice:
    vertices: list[list[Point]]  # [row][col], row 0 is the north edge

    @classmethod
    def over(
        cls,
        box: tuple[float, float, float, float],
        rows: int,
        cols: int,
        rng: random.Random,
        jitter: float = 0.22,
    ) -> "Lattice":
        """A lattice over `box` = (south, west, north, east); each vertex moves at most
        `jitter` of a cell each way, which keeps every cell a simple, nearly convex quad."""
        south, west, north, east = box
        d_lat, d_lon = (north - south) / rows, (east - west) / cols
        vertices = [
            [
                (
                    north - r * d_lat + rng.uniform(-jitter, jitter) * d_lat,
                    west + c * d_lon + rng.uniform(-jitter, jitter) * d_lon,
                )
                for c in range(cols + 1)
            ]
            for r in range(rows + 1)
        ]
        return cls(vertices)

    def ring(self, row: int, col: int, rows: int = 1, cols: int = 1) -> list[Point]:
        """The outline of the block of cells [row, row+rows) x [col, col+cols), going round
        through every lattice vertex on its edge (so it meets its neighbours exactly)."""
        v = self.vertices
        top = [v[row][c] for c in range(col, col + cols + 1)]
        right = [v[r][col + cols] for r in range(row + 1, row + rows + 1)]
        bottom = [v[row + rows][c] for c in range(col + cols - 1, col - 1, -1)]
        left = [v[r][col] for r in range(row + rows - 1, row, -1)]
        return top + right + bottom + left

    def quad(self, row: int, col: int) -> tuple[Point, Point, Point, Point]:
        """One cell's corners: north-west, north-east, south-east, south-west."""
        v = self.vertices
        return v[row][col], v[row][col + 1], v[row + 1][col + 1], v[row + 1][col]


def polygon(*rings: list[Point]) -> dict:
    """A GeoJSON Polygon (one ring) or MultiPolygon (several), closed and counter-clockwise."""
    shapes = [[_closed(_anticlockwise(ring))] for ring in rings]
    if len(shapes) == 1:
        return {"type": "Polygon", "coordinates": shapes[0]}
    return {"type": "MultiPolygon", "coordinates": shapes}


def _anticlockwise(ring: list[Point]) -> list[Point]:
    return ring if _signed_area(ring) > 0 else list(reversed(ring))


def _closed(ring: list[Point]) -> list[list[float]]:
    coords = [[round(lon, 6), round(lat, 6)] for lat, lon in ring]
    return coords + [coords[0]]


def _signed_area(ring: list[Point]) -> float:
    """Twice the signed area in (lon, lat) space: positive when counter-clockwise."""
    total = 0.0
    for (lat1, lon1), (lat2, lon2) in zip(ring, ring[1:] + ring[:1], strict=True):
        total += lon1 * lat2 - lon2 * lat1
    return total


def centroid(ring: list[Point]) -> Point:
    """The centre of mass of a simple polygon."""
    area = cy = cx = 0.0
    for (lat1, lon1), (lat2, lon2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = lon1 * lat2 - lon2 * lat1
        area += cross
        cx += (lon1 + lon2) * cross
        cy += (lat1 + lat2) * cross
    return cy / (3 * area), cx / (3 * area)


def point_in_quad(quad, u: float, v: float, margin: float = 0.12) -> Point:
    """The point at (u, v) in [0, 1)² of a cell, kept `margin` away from its edges
    (bilinear between the corners, so it lies inside any nearly convex quad)."""
    nw, ne, se, sw = quad
    u, v = margin + u * (1 - 2 * margin), margin + v * (1 - 2 * margin)
    lat = (1 - v) * ((1 - u) * nw[0] + u * ne[0]) + v * ((1 - u) * sw[0] + u * se[0])
    lon = (1 - v) * ((1 - u) * nw[1] + u * ne[1]) + v * ((1 - u) * sw[1] + u * se[1])
    return lat, lon


def contains(geometry: dict, lat: float, lon: float) -> bool:
    """Whether a GeoJSON Polygon or MultiPolygon (outer rings only) holds the point."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return any(_in_ring(rings[0], lat, lon) for rings in polygons)


def _in_ring(ring: list, lat: float, lon: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside
