"""Routing graph, one multi-source search per destination category, and route
measures for every node from the search trees.

Sites, destinations and benches are inserted into the network where they were
projected (edges are split there); a site or destination joins its split point
by an access edge of its straight-line access length, so a walk from a door to
the street is counted. Searches run on walking time (seconds) for an older
pedestrian; the route measures (length, lit / dark / unknown length, length on
steps and on steep edges, longest stretch without a rest) are aggregated along
each node's path to its nearest destination level by level down the search
trees (one vectorised pass per edge of depth, no per-node path walks).

``point_reach`` gives the same measures for points that are not in the graph
(raster cells) as if each had been inserted as a site, without rebuilding it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from .models import Walking
from .network import Network, edge_factor, edge_usable

_EPS_S = 1e-6  # keeps zero-length pieces as edges in the sparse graph


@dataclass
class Graph:
    """The routing graph: directed, symmetric, unique ``(u, v)`` pairs in CSR order.

    Nodes ``0..n_net-1`` are network nodes; then one split node per attachment;
    then one access node per pendant attachment.

    For ``point_reach``: ``speed_m_s``; per network edge: ``edge_u``, ``edge_v``, ``edge_length_m``,
    ``edge_s_per_m`` (walking seconds per metre, slope, steps and survey ratings included),
    ``edge_per_m`` (rows: length, lit, dark, unknown, steps, steep per metre) and
    ``edge_usable``; and the attachments in their order along the edges, as
    ``att_key`` (``2 * edge + t``, ascending), ``att_edge``, ``att_t`` and
    ``att_node`` (their split nodes).
    """

    n: int
    csr: csr_matrix
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    lit_m: np.ndarray
    dark_m: np.ndarray
    unknown_m: np.ndarray
    steps_m: np.ndarray
    steep_m: np.ndarray  # NaN when the network has no elevation at all
    rest: np.ndarray  # node is a bench (a place to rest)
    split_node: np.ndarray  # per attachment
    access_node: np.ndarray  # per attachment; the split node for non-pendant ones
    speed_m_s: float
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_s_per_m: np.ndarray
    edge_per_m: np.ndarray  # 6 x edges
    edge_usable: np.ndarray
    twin: np.ndarray  # per network edge, the edge it is walked as (itself, or an earlier one drawn over it)
    att_key: np.ndarray
    att_edge: np.ndarray
    att_t: np.ndarray
    att_node: np.ndarray
    net_edge: np.ndarray  # per graph edge, the network edge it lies on (-1: an access edge)

    def edge_index(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Index of the edge ``a -> b`` (pairs must exist)."""
        return np.searchsorted(self.u * self.n + self.v, a * self.n + b)


def onto_twin(twin: np.ndarray, eu: np.ndarray, edge: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points on edges moved onto the edge each is walked as (``Graph.twin``), ``t`` turned with it."""
    kept = twin[edge]
    return kept, np.where(eu[kept] == eu[edge], t, 1.0 - t)


def build_graph(
    net: Network, edge: np.ndarray, t: np.ndarray, access_m: np.ndarray, pendant: np.ndarray, rest: np.ndarray, w: Walking
) -> Graph:
    """Split the network at attachments and add access edges.

    Parameters
    ----------
    net
        Network with ``time_factor`` set.
    edge, t
        Edge index and fraction along ``u -> v`` of each attachment (edge >= 0).
    access_m
        Straight-line access length of pendant attachments (m).
    pendant
        Attachment gets an access node (sites, destinations) rather than being
        the split node itself (benches).
    rest
        Attachment is a place to rest.
    w
        ``walking``: speed, steps and inaccessible-way rules (``network.edge_factor``, ``edge_usable``).
    """
    e = net.edges
    n_net, k = net.n_nodes, len(edge)
    speed = w.speed_m_s
    eu, ev = e["u"].to_numpy(), e["v"].to_numpy()
    length = e["length_m"].to_numpy()
    steps = e["steps"].to_numpy()
    factor = edge_factor(e, w)
    usable = edge_usable(e, w)
    # two ways drawn over one another between the same two nodes, alike to walk, are walked as the
    # first: routes must not change with which of them a site or a raster cell is projected onto
    ends = np.sort(np.c_[eu, ev], axis=1)
    order = np.lexsort((factor, ends[:, 1], ends[:, 0]))
    same = np.r_[False, (np.diff(ends[order], axis=0) == 0).all(axis=1) & (np.diff(factor[order]) == 0)]
    twin = np.empty(len(e), dtype=np.int64)
    twin[order] = order[np.maximum.accumulate(np.where(same, 0, np.arange(len(order))))]
    usable &= twin == np.arange(len(e))
    edge, t = onto_twin(twin, eu, edge, t)
    grade = e["grade"].to_numpy()
    steep = np.full(len(e), np.nan) if np.isnan(grade).all() else np.nan_to_num(grade) > w.grade_flag_pct
    measures = np.c_[length, e["lit_m"], e["dark_m"], e["unknown_m"], length * steps, length * steep]
    per_m = measures / np.maximum(length, 1e-9)[:, None]

    split = n_net + np.arange(k)
    hit = np.zeros(len(e), dtype=bool)
    hit[edge] = True
    ends = np.flatnonzero(hit)
    # chain every split edge: u, attachments by t, v
    ce = np.r_[ends, edge, ends]
    ct = np.r_[np.zeros(len(ends)), t, np.ones(len(ends))]
    cn = np.r_[eu[ends], split, ev[ends]]
    corder = np.r_[np.zeros(len(ends)), np.ones(k), np.full(len(ends), 2.0)]
    o = np.lexsort((corder, ct, ce))
    ce, ct, cn, corder = ce[o], ct[o], cn[o], corder[o]
    att = corder == 1.0  # the attachments in chain order, for point_reach
    same = ce[1:] == ce[:-1]
    p_e, p_a, p_b = ce[1:][same], cn[:-1][same], cn[1:][same]
    p_len = (ct[1:] - ct[:-1])[same] * length[p_e]
    whole = np.flatnonzero(~hit)
    pe = np.r_[whole, p_e]
    pa = np.r_[eu[whole], p_a]
    pb = np.r_[ev[whole], p_b]
    plen = np.r_[length[whole], p_len]
    keep = usable[pe]
    pe, pa, pb, plen = pe[keep], pa[keep], pb[keep], plen[keep]
    attrs = per_m[pe] * plen[:, None]  # length, lit, dark, unknown, steps, steep
    ptime = plen / speed * factor[pe]
    pnet = pe

    pend = np.flatnonzero(pendant)
    acc_node = split.copy()
    acc_node[pend] = n_net + k + np.arange(len(pend))
    acc_len = access_m[pend]
    pa = np.r_[pa, acc_node[pend]]
    pb = np.r_[pb, split[pend]]
    ptime = np.r_[ptime, acc_len / speed]
    attrs = np.r_[attrs, np.c_[acc_len, np.zeros((len(pend), attrs.shape[1] - 1))]]
    pnet = np.r_[pnet, np.full(len(pend), -1)]

    n = n_net + k + len(pend)
    u = np.r_[pa, pb]
    v = np.r_[pb, pa]
    time = np.r_[ptime, ptime] + _EPS_S
    attrs = np.r_[attrs, attrs]
    pnet = np.r_[pnet, pnet]
    pair = u * n + v
    o = np.lexsort((time, pair))  # by (u, v), the fastest of parallel pieces first
    u, v, time, attrs, pair, pnet = u[o], v[o], time[o], attrs[o], pair[o], pnet[o]
    first = np.r_[True, pair[1:] != pair[:-1]]
    first &= u != v
    u, v, time, attrs, pnet = u[first], v[first], time[first], attrs[first], pnet[first]
    csr = csr_matrix((time, (u, v)), shape=(n, n))
    csr.sort_indices()
    rest_node = np.zeros(n, dtype=bool)
    rest_node[split[rest]] = True
    return Graph(
        n=n, csr=csr, u=u, v=v, length_m=attrs[:, 0], lit_m=attrs[:, 1], dark_m=attrs[:, 2], unknown_m=attrs[:, 3],
        steps_m=attrs[:, 4], steep_m=attrs[:, 5], rest=rest_node, split_node=split, access_node=acc_node,
        speed_m_s=speed, edge_u=eu, edge_v=ev, edge_length_m=length, edge_s_per_m=factor / speed,
        edge_per_m=np.ascontiguousarray(per_m.T), edge_usable=usable, twin=twin,
        att_key=2.0 * ce[att] + ct[att], att_edge=ce[att], att_t=ct[att], att_node=cn[att], net_edge=pnet,
    )


@dataclass
class Reach:
    """Per graph node, the fastest route to the nearest destination of one category.

    ``time_s`` is inf and the other measures NaN where none is within the cutoff;
    ``source`` is the graph node of the destination reached (-1 if none).
    ``steps_m`` and ``steep_m`` are the route lengths on steps and on edges
    steeper than ``walking.grade_flag_pct`` (``steep_m`` NaN without elevation).
    ``gap_m`` is the longest stretch without a rest (start, benches and the
    destination are rests); ``head_m`` the stretch from the start to the first
    rest, so an access leg in front of a node extends it.
    """

    time_s: np.ndarray
    source: np.ndarray
    length_m: np.ndarray
    lit_m: np.ndarray
    dark_m: np.ndarray
    unknown_m: np.ndarray
    steps_m: np.ndarray
    steep_m: np.ndarray
    head_m: np.ndarray
    gap_m: np.ndarray
    pred: np.ndarray | None = None  # the search tree: the next node towards the destination (-9999: none)


def hops(pred: np.ndarray, child: np.ndarray) -> np.ndarray:
    """Edges between each node and its search tree's root, by pointer jumping (log2(depth) passes)."""
    out = np.zeros(len(pred), dtype=np.int64)
    out[child] = 1
    anc = np.full(len(pred), -1)
    anc[child] = pred[child]
    active = child
    while active.size:
        a = anc[active]
        out[active] += out[a]
        anc[active] = anc[a]
        active = active[anc[active] >= 0]
    return out


def shortest_paths(graph: Graph, sources: np.ndarray, cutoff_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One multi-source Dijkstra from all ``sources``, up to ``cutoff_s``.

    Returns
    -------
    time_s, pred, source
        Per graph node: walking time to the nearest source (inf beyond the
        cutoff), the next node towards it and the source (-9999 where none).
    """
    if len(sources) == 0:
        none = np.full(graph.n, -9999)
        return np.full(graph.n, np.inf), none, none.copy()
    return dijkstra(
        graph.csr, directed=True, indices=np.unique(sources), min_only=True, limit=cutoff_s, return_predecessors=True
    )


def route_measures(graph: Graph, dist: np.ndarray, pred: np.ndarray, src: np.ndarray) -> Reach:
    """The route measures of every node, level by level down the trees of ``shortest_paths``."""
    n = graph.n
    reached = np.isfinite(dist)
    child = np.flatnonzero(pred >= 0)
    e = graph.edge_index(child, pred[child])
    step = np.zeros((n, 6))  # the measures of the edge from each node to its parent
    step[child] = np.column_stack([m[e] for m in (graph.length_m, graph.lit_m, graph.dark_m, graph.unknown_m, graph.steps_m, graph.steep_m)])
    rest_ahead = np.zeros(n, dtype=bool)  # that edge ends at a rest: a bench or the destination
    rest_ahead[child] = graph.rest[pred[child]] | (pred[pred[child]] < 0)
    depth = hops(pred, child)
    order = child[np.argsort(depth[child], kind="stable")]
    levels = np.searchsorted(depth[order], np.arange(1, depth.max() + 2))
    sums = np.zeros((n, 6))
    head = np.zeros(n)  # from the node to the first rest
    beyond = np.zeros(n)  # longest stretch between rests after that
    for lo, hi in zip(levels[:-1], levels[1:], strict=True):  # a parent is one level up, so final already
        c = order[lo:hi]
        p = pred[c]
        sums[c] = sums[p] + step[c]
        stretch, rest = step[c, 0], rest_ahead[c]
        head[c] = np.where(rest, stretch, stretch + head[p])
        beyond[c] = np.where(rest, np.maximum(head[p], beyond[p]), beyond[p])
    gap = np.maximum(head, beyond)
    length, lit, dark, unknown, steps, steep = np.where(reached, sums.T, np.nan)
    head[~reached] = gap[~reached] = np.nan
    return Reach(
        time_s=dist, source=np.where(reached, src, -1), length_m=length, lit_m=lit, dark_m=dark,
        unknown_m=unknown, steps_m=steps, steep_m=steep, head_m=head, gap_m=gap, pred=pred,
    )


@dataclass
class Piece:
    """Where points on network edges lie in the routing graph: on the piece between the
    consecutive graph nodes ``a`` (towards the edge's ``u``) and ``b`` (towards ``v``),
    ``part_a`` and ``part_b`` metres from them, on network edge ``edge`` (its twin)."""

    edge: np.ndarray
    a: np.ndarray
    b: np.ndarray
    part_a: np.ndarray
    part_b: np.ndarray


def pieces(graph: Graph, edge: np.ndarray, t: np.ndarray) -> Piece:
    """The graph piece of points at fraction ``t`` along network edges ``edge`` (a point
    at an attachment's ``t`` goes before it, as a site inserted there would)."""
    edge = np.asarray(edge, dtype=np.int64)
    t = np.asarray(t, dtype=float)
    edge, t = onto_twin(graph.twin, graph.edge_u, edge, t)
    # the attachments before and after the point in chain order; a sentinel at either end stands for "none on this edge"
    i = np.searchsorted(graph.att_key, 2.0 * edge + t, side="left") + 1
    att_edge, att_t, att_node = (np.r_[-1, x, -1] for x in (graph.att_edge, graph.att_t, graph.att_node))
    has_a, has_b = att_edge[i - 1] == edge, att_edge[i] == edge
    length = graph.edge_length_m[edge]
    return Piece(
        edge=edge, a=np.where(has_a, att_node[i - 1], graph.edge_u[edge]), b=np.where(has_b, att_node[i], graph.edge_v[edge]),
        part_a=np.maximum(t - np.where(has_a, att_t[i - 1], 0.0), 0.0) * length,
        part_b=np.maximum(np.where(has_b, att_t[i], 1.0) - t, 0.0) * length,
    )


def add_pendant(graph: Graph, edge: int, t: float, access_m: float) -> Graph:
    """``graph`` with one more node, ``graph.n``: a point at fraction ``t`` along network
    edge ``edge``, ``access_m`` from it, joined to the two graph nodes of its piece (a
    destination proposed there; its walks are those of ``build_graph`` with it inserted,
    the split node left out)."""
    pc = pieces(graph, np.array([edge]), np.array([t]))
    e = int(pc.edge[0])
    n = graph.n
    ends, part = np.array([pc.a[0], pc.b[0]]), np.array([pc.part_a[0], pc.part_b[0]])
    if not graph.edge_usable[e]:
        ends, part = ends[:0], part[:0]
    time = part * graph.edge_s_per_m[e] + access_m / graph.speed_m_s + 2 * _EPS_S
    per_m = graph.edge_per_m[:, e]
    attrs = part[:, None] * per_m[None, :]
    attrs[:, 0] += access_m
    # both directions; the pairs (end, n) go where they sort, the pairs (n, end) last
    u, v = np.r_[ends, np.full(len(ends), n)], np.r_[np.full(len(ends), n), ends]
    key_old = graph.u * (n + 1) + graph.v
    at = np.searchsorted(key_old, u * (n + 1) + v)
    o = np.argsort(np.r_[np.arange(len(key_old)) * 2, at * 2 - 1], kind="stable")
    cols = [np.r_[old, new][o] for old, new in ((graph.u, u), (graph.v, v), (graph.csr.data, np.r_[time, time]),
                                                 (graph.net_edge, np.full(len(u), -1)))]
    measures = [np.r_[m, np.r_[attrs[:, i], attrs[:, i]]][o] for i, m in enumerate(
        (graph.length_m, graph.lit_m, graph.dark_m, graph.unknown_m, graph.steps_m, graph.steep_m))]
    uu, vv, tt, ne = cols
    csr = csr_matrix((tt, (uu, vv)), shape=(n + 1, n + 1))
    csr.sort_indices()
    return dataclasses.replace(
        graph, n=n + 1, csr=csr, u=uu, v=vv, length_m=measures[0], lit_m=measures[1], dark_m=measures[2],
        unknown_m=measures[3], steps_m=measures[4], steep_m=measures[5], rest=np.r_[graph.rest, False], net_edge=ne,
    )


def point_reach(
    graph: Graph, reach: dict[str, Reach], edge: np.ndarray, t: np.ndarray, access_m: np.ndarray, cutoff_s: float
) -> dict[str, Reach]:
    """The ``Reach`` of points off the graph, as if each were a pendant site.

    A point at fraction ``t`` along network edge ``edge``, ``access_m`` from it,
    lies on the piece of that edge between two consecutive graph nodes: ``a``
    towards ``u`` and ``b`` towards ``v`` (the edge's ends or split nodes of
    attachments on it). Its route is the faster of the walks through ``a`` and
    through ``b``: the access leg, the part of the piece up to the node, then
    the node's route. Results equal those of ``build_graph`` with the point as
    an extra site followed by ``shortest_paths`` and ``route_measures``; the
    point's own split node is not a rest, so the access leg and the part of the
    piece extend the node's stretch to its first rest.

    Parameters
    ----------
    graph, reach
        The routing graph and the searches' results on it, per category.
    edge, t, access_m
        Per point: network edge index, fraction along ``u -> v`` and
        straight-line access length (m).
    cutoff_s
        The searches' limit (s); slower routes are unreached.

    Returns
    -------
    dict
        Per category, a ``Reach`` with one entry per point (``source`` is the
        graph node of the destination reached, -1 if none).
    """
    access_m = np.asarray(access_m, dtype=float)
    pc = pieces(graph, edge, t)
    edge, node_a, node_b, part_a, part_b = pc.edge, pc.a, pc.b, pc.part_a, pc.part_b
    del pc
    s_per_m = graph.edge_s_per_m[edge]
    time_a, time_b = part_a * s_per_m, part_b * s_per_m
    del s_per_m
    per_m = [m[edge] for m in graph.edge_per_m]
    unusable = ~graph.edge_usable[edge]
    # the access edge and the piece to the node are two edges of the graph (+ _EPS_S each, as there)
    access_s = access_m / graph.speed_m_s + 2 * _EPS_S
    out = {}
    for key, r in reach.items():
        via_a = r.time_s[node_a]
        via_a += time_a
        via_b = r.time_s[node_b]
        via_b += time_b
        use_b = via_b < via_a
        node = np.where(use_b, node_b, node_a)
        part = np.where(use_b, part_b, part_a)
        time = np.minimum(via_a, via_b, out=via_a)
        time += access_s
        del via_b, use_b
        off = ~(time <= cutoff_s) | unusable
        time[off] = np.inf
        measures, piece = [], np.empty(len(part))
        for col, m in enumerate((r.length_m, r.lit_m, r.dark_m, r.unknown_m, r.steps_m, r.steep_m)):
            x = m[node]
            x += np.multiply(part, per_m[col], out=piece)
            measures.append(x)
        measures[0] += access_m
        stretch = part
        stretch += access_m
        rest = graph.rest[node] | (r.source[node] == node)  # a bench, or the destination itself
        head = np.where(rest, stretch, stretch + r.head_m[node])
        # gap = max(head, beyond); beyond is the node's gap behind a rest, else its beyond, and
        # max(stretch + head, beyond) = max(stretch + head, gap) at the node
        gap = np.maximum(head, r.gap_m[node])
        source = r.source[node]
        for x in (*measures, head, gap):
            x[off] = np.nan
        source[off] = -1
        out[key] = Reach(
            time_s=time, source=source, length_m=measures[0], lit_m=measures[1], dark_m=measures[2],
            unknown_m=measures[3], steps_m=measures[4], steep_m=measures[5], head_m=head, gap_m=gap,
        )
    return out
