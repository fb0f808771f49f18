"""Value-chain criminal networks (Duijn, Kashirin & Sloot 2014): roles and a generator.

Duijn P.A.C., Kashirin V., Sloot P.M.A. (2014) "The relative ineffectiveness of criminal network
disruption", Sci. Rep. 4:4238. The police data (a Dutch cannabis-cultivation network) are not
public; the Supplementary Information gives role-level statistics, used here:

* Table S-4: for each of 20 value-chain roles, the number of members ``N``, their mean degree
  and their mean value-chain degree ``D_vc`` (distinct roles among a member's contacts);
* Table S-3: the number of edges between members of two roles (and within a role).

⚠ The numbers are as transcribed in a public replication (files ``Appendix_Table_S_3_corrected``
and ``Appendix_Table_S_4_corrected``); they are not checked against the SI PDF. Table S-3 lists
fewer rows than pairs; we take each unordered pair's larger count.

**Generator.** An *ensemble* of ``B`` networks of ``n`` members, the role sizes of Table S-4
scaled to ``n`` (largest remainder), and for each pair of roles the Table S-3 edge count scaled
by ``n/838`` placed between their members with a degree-corrected stochastic block model: each
member has a Pareto activity weight (tail exponent ``hub_exponent``, an assumption; criminal
networks have hubs) and an edge's two ends are drawn in proportion to the weights. The *macro*
network (the wider criminal milieu through which a replacement is found, Duijn et al.'s
"nearest in a wider network" recovery) is the value-chain network plus ``macro_degree`` extra
random contacts per member on average (an assumption).

Networks are held as one sorted array of edge keys for the whole ensemble, with degrees kept
up to date; see :mod:`oclab.models.networks_disruption` for disruption, recovery and metrics.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import sparse

from oclab.errors import InputError

#: Table S-4 (Duijn et al. 2014 SI): role, members N, mean degree, mean value-chain degree D_vc.
ROLE_TABLE: tuple[tuple[str, int, float, float], ...] = (
    ("Drying toppings", 18, 8.89, 10.94),
    ("Arranging fake owners of property", 8, 15.38, 10.0),
    ("Coordinator", 104, 9.26, 9.06),
    ("Adding weight to the toppings", 31, 9.19, 8.52),
    ("Cutting toppings", 12, 5.42, 7.83),
    ("Transporting", 42, 9.05, 7.62),
    ("International trade", 80, 11.01, 7.22),
    ("Arranging storage", 32, 6.78, 6.66),
    ("Controlling cutters", 10, 5.3, 6.4),
    ("Financing", 49, 14.84, 6.12),
    ("Selling to coffeeshops", 52, 7.06, 5.81),
    ("Growshop owner", 23, 5.91, 5.09),
    ("Arranging location for plantation", 67, 7.58, 4.9),
    ("Supply of growth necessities", 22, 8.14, 4.73),
    ("Supply of cuttings for plants", 38, 6.29, 4.55),
    ("Protection of plantation", 21, 7.95, 4.14),
    ("Taking care of plants", 139, 6.12, 3.08),
    ("Building a plantation", 48, 4.15, 3.02),
    ("Fake owner of a company or house", 27, 3.63, 2.04),
    ("Diverting electricity", 15, 2.87, 1.47),
)
ROLES: tuple[str, ...] = tuple(r[0] for r in ROLE_TABLE)
ROLE_SIZES = np.array([r[1] for r in ROLE_TABLE])
REFERENCE_MEMBERS = int(ROLE_SIZES.sum())  # 838 role slots
#: The scarce role Duijn et al. target: few members (15 of 838; only "Arranging fake owners of
#: property", "Controlling cutters" and "Cutting toppings" have fewer), the lowest value-chain
#: degree D_vc, and a specialised skill (tapping electricity for indoor plantations).
SCARCE_ROLE = ROLES.index("Diverting electricity")

#: Table S-3 (Duijn et al. 2014 SI): edges between members of two roles (unordered pairs).
_EDGE_ROWS: tuple[tuple[str, str, int], ...] = (
    ("International trade", "Coordinator", 83),
    ("International trade", "International trade", 61),
    ("International trade", "Transporting", 51),
    ("International trade", "Selling to coffeeshops", 36),
    ("International trade", "Growshop owner", 8),
    ("Financing", "Coordinator", 63),
    ("Financing", "Financing", 25),
    ("Transporting", "Coordinator", 34),
    ("Transporting", "Transporting", 17),
    ("Transporting", "Selling to coffeeshops", 12),
    ("Transporting", "Growshop owner", 4),
    ("Growshop owner", "Supply of cuttings for plants", 18),
    ("Growshop owner", "Growshop owner", 11),
    ("Growshop owner", "Supply of growth necessities", 11),
    ("Growshop owner", "Selling to coffeeshops", 5),
    ("Growshop owner", "Adding weight to the toppings", 4),
    ("Growshop owner", "Arranging storage", 2),
    ("Growshop owner", "Drying toppings", 1),
    ("Growshop owner", "Building a plantation", 1),
    ("Supply of growth necessities", "Coordinator", 13),
    ("Supply of growth necessities", "Supply of growth necessities", 6),
    ("Supply of growth necessities", "Building a plantation", 3),
    ("Supply of growth necessities", "Diverting electricity", 1),
    ("Selling to coffeeshops", "Coordinator", 43),
    ("Selling to coffeeshops", "Selling to coffeeshops", 24),
    ("Supply of cuttings for plants", "Supply of cuttings for plants", 20),
    ("Taking care of plants", "Coordinator", 85),
    ("Taking care of plants", "Taking care of plants", 52),
    ("Taking care of plants", "Protection of plantation", 18),
    ("Arranging location for plantation", "Coordinator", 55),
    ("Arranging location for plantation", "Arranging location for plantation", 24),
    ("Arranging location for plantation", "Arranging fake owners of property", 14),
    ("Arranging location for plantation", "Fake owner of a company or house", 11),
    ("Diverting electricity", "Coordinator", 5),
    ("Diverting electricity", "Building a plantation", 3),
    ("Diverting electricity", "Diverting electricity", 3),
    ("Arranging storage", "Coordinator", 21),
    ("Arranging storage", "Adding weight to the toppings", 21),
    ("Arranging storage", "Drying toppings", 16),
    ("Arranging storage", "Arranging storage", 11),
    ("Fake owner of a company or house", "Coordinator", 21),
    ("Fake owner of a company or house", "Fake owner of a company or house", 2),
    ("Fake owner of a company or house", "Arranging fake owners of property", 1),
    ("Protection of plantation", "Coordinator", 19),
    ("Protection of plantation", "Protection of plantation", 7),
    ("Coordinator", "Coordinator", 53),
    ("Coordinator", "Adding weight to the toppings", 31),
    ("Coordinator", "Building a plantation", 26),
    ("Coordinator", "Cutting toppings", 20),
    ("Coordinator", "Drying toppings", 14),
    ("Coordinator", "Controlling cutters", 14),
    ("Coordinator", "Arranging fake owners of property", 11),
    ("Building a plantation", "Building a plantation", 9),
)


def role_edges() -> np.ndarray:
    """Symmetric (roles, roles) matrix of Table S-3 edge counts (the larger of both rows)."""
    out = np.zeros((len(ROLES), len(ROLES)), dtype=int)
    for a, b, count in _EDGE_ROWS:
        i, j = ROLES.index(a), ROLES.index(b)
        out[i, j] = out[j, i] = max(out[i, j], count)
    return out


def _ranges(start: np.ndarray, size: np.ndarray) -> np.ndarray:
    """The concatenated index ranges ``start[k] .. start[k] + size[k] - 1``."""
    end = np.cumsum(size)
    return np.repeat(start + size - end, size) + np.arange(end[-1] if end.size else 0)


_SLACK = 16  # spare entries per row beyond twice its degree


class Ensemble:
    """``B`` networks of ``n`` members with the same roles; mutable during a disruption run.

    Member ``a`` of network ``net`` is row ``net*n + a`` of the whole ensemble. The contacts of
    every row are held in one array with spare room after each row (a CSR layout with slack):
    row ``r`` owns the slots ``start[r] .. start[r] + cap[r] - 1`` and uses the first
    ``degree[r]``, holding the other ends' member numbers in no particular order. A removal
    step then touches only the rows involved, never the whole edge list:

    * removing a member reads its row ("orphans": its contacts), frees it, and deletes its
      entry from each orphan's row by moving the row's last entry into its place;
    * adding an edge writes one slot after the last entry of each of its two rows; a row
      without room moves to the end of the array with twice the room, and when the abandoned
      slots outweigh the rest the whole array is rewritten.

    :attr:`key` gives the sorted edge keys and :meth:`csr` the block-diagonal graph of the
    ensemble for the metrics.
    """

    def __init__(
        self,
        key: np.ndarray,
        role: np.ndarray,
        alive: np.ndarray,
        degree: np.ndarray,
        macro: sparse.csr_array,
    ) -> None:
        self.role = role  # (n,) role index of each member (same in every network)
        self.alive = alive  # (B, n) bool: not removed
        self.degree = degree  # (B, n) int64: entries in use in each row
        self.macro = macro  # (B*n, B*n) the wider network, block diagonal
        #: members of role ``r`` are ``bounds[r] .. bounds[r+1] - 1`` (roles are in order)
        self.bounds = np.searchsorted(role, np.arange(role.max() + 2))
        self._scratch = np.full(alive.size, -1)  # -1 between uses
        # each network's members role by role, the alive ones of a role first: the role's
        # members are ``bounds[r] .. bounds[r+1] - 1`` of its row of ``_listed``, the first
        # ``in_role[net, r]`` of them alive; ``_at`` is each member's place there (flat)
        b, n = alive.shape
        listed = np.argsort(2 * role[None, :] + ~alive, axis=1, kind="stable")
        self._listed = listed.reshape(-1)
        self._at = np.empty(b * n, dtype=np.int64)
        self._at[(np.arange(b)[:, None] * n + listed).reshape(-1)] = np.arange(b * n)
        roles = self.bounds.size - 1
        self.in_role = np.zeros((b, roles), dtype=np.int64)
        net, member = np.nonzero(alive)
        np.add.at(self.in_role, (net, role[member]), 1)
        n = self.shape[1]
        self._layout(key // n, key % n, np.zeros(alive.size, dtype=np.int64))

    def _layout(self, rows: np.ndarray, cols: np.ndarray, extra: np.ndarray) -> None:
        """Write the entries ``rows`` (ascending) -> ``cols`` into a fresh array, each row with
        room for ``2 * (degree + extra) + _SLACK`` entries (none for removed members)."""
        count = self.degree.reshape(-1)
        cap = (2 * (count + extra) + _SLACK) * self.alive.reshape(-1)
        self._start = np.cumsum(cap) - cap
        self._cap = cap
        self._end = int(cap.sum())
        self._garbage = 0  # slots no row owns any more
        self._nbr = np.empty(self._end, dtype=np.int32)
        first = np.cumsum(count) - count
        self._nbr[self._start[rows] + np.arange(rows.size) - first[rows]] = cols
        self._csr: tuple[np.ndarray, np.ndarray] | None = None

    def _slots(self, rows: np.ndarray) -> np.ndarray:
        """Positions in the entry array of the entries of ``rows``, row after row."""
        return _ranges(self._start[rows], self.degree.reshape(-1)[rows])

    def _rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(row, other end's row) of every entry, rows ascending."""
        n = self.shape[1]
        count = self.degree.reshape(-1)
        rows = np.flatnonzero(count)
        row = np.repeat(rows, count[rows])
        return row, row - row % n + self._nbr[self._slots(rows)]

    def _make_room(self, rows: np.ndarray, extra: np.ndarray) -> None:
        """Give each of ``rows`` (unique) room for ``extra`` more entries: move them to the end
        of the array, or rewrite the whole array when most of it would be abandoned slots."""
        n = self.shape[1]
        self._csr = None
        if 2 * (self._garbage + int(self._cap[rows].sum())) > self._end:
            row, other = self._rows()
            more = np.zeros(self.alive.size, dtype=np.int64)
            more[rows] = extra
            self._layout(row, other % n, more)
            return
        count = self.degree.reshape(-1)[rows]
        cols = self._nbr[self._slots(rows)]
        cap = 2 * (count + extra) + _SLACK
        start = self._end + np.cumsum(cap) - cap
        self._end += int(cap.sum())
        if self._end > self._nbr.size:
            grown = np.empty(max(self._end, 2 * self._nbr.size), dtype=np.int32)
            grown[: self._nbr.size] = self._nbr
            self._nbr = grown
        self._nbr[_ranges(start, count)] = cols
        self._garbage += int(self._cap[rows].sum())
        self._start[rows], self._cap[rows] = start, cap

    @property
    def key(self) -> np.ndarray:
        """(2E,) int64, sorted: both directions of every edge, as ``(net*n + a)*n + b``."""
        row, other = self._rows()
        return np.sort(row * self.shape[1] + other % self.shape[1])

    def csr(self) -> tuple[np.ndarray, np.ndarray]:
        """(indptr, indices) of every network as one block-diagonal graph of ``B*n`` rows
        (member ``a`` of network ``net`` is row ``net*n + a``; a row's columns are in no
        particular order); kept until the edges change."""
        if self._csr is None:
            _, other = self._rows()
            indptr = np.zeros(self.alive.size + 1, dtype=np.int64)
            np.cumsum(self.degree.reshape(-1), out=indptr[1:])
            self._csr = (indptr, other)
        return self._csr

    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The edge store as it is, for readers that go row by row: (first, degree, entries,
        base); the contacts of row ``r`` are ``base[r] + entries[first[r] + i]`` for ``i <
        degree[r]`` (``base[r]`` is the row of member 0 of its network)."""
        n = self.shape[1]
        every = np.arange(self.alive.size)
        return self._start, self.degree.reshape(-1), self._nbr, every - every % n

    @property
    def shape(self) -> tuple[int, int]:
        """(networks, members per network)."""
        return self.alive.shape

    def copy(self) -> Ensemble:
        """An independent copy (the macro network is shared: it never changes)."""
        out = Ensemble.__new__(Ensemble)
        out.role, out.macro, out.bounds = self.role, self.macro, self.bounds
        out._scratch = self._scratch.copy()
        out._listed, out._at, out.in_role = (
            self._listed.copy(),
            self._at.copy(),
            self.in_role.copy(),
        )
        out.alive, out.degree = self.alive.copy(), self.degree.copy()
        out._start, out._cap, out._nbr = self._start.copy(), self._cap.copy(), self._nbr.copy()
        out._end, out._garbage, out._csr = self._end, self._garbage, self._csr
        return out

    def ends(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(network, from, to) of every directed edge."""
        n = self.shape[1]
        node, to = np.divmod(self.key, n)
        net, start = np.divmod(node, n)
        return net, start, to

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(network, u, v) of every undirected edge, ``u < v``."""
        net, a, b = self.ends()
        once = a < b
        return net[once], a[once], b[once]

    def dense(self) -> np.ndarray:
        """Boolean adjacency (B, n, n); for small networks and tests."""
        b, n = self.shape
        out = np.zeros((b, n, n), dtype=bool)
        net, a, c = self.ends()
        out[net, a, c] = True
        return out

    def _unlist(self, nets: np.ndarray, members: np.ndarray, rows: np.ndarray) -> None:
        """Move removed members behind the alive ones of their role (one per network)."""
        n = self.shape[1]
        role = self.role[members]
        last = nets * n + self.bounds[role] + self.in_role[nets, role] - 1
        here = self._at[rows]
        moved = self._listed[last]  # the role's last alive member takes the removed one's place
        self._listed[here] = moved
        self._listed[last] = members
        self._at[nets * n + moved] = here
        self._at[rows] = last
        self.in_role[nets, role] -= 1

    def random_in_role(
        self, net: np.ndarray, member: np.ndarray, role: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """For each ``member[k]`` of network ``net[k]``, an alive member of ``role[k]`` other
        than itself drawn uniformly (-1 if none): a position among the role's alive members."""
        n = self.shape[1]
        role = np.maximum(role, 0)
        start = net * n + self.bounds[role]
        own = self.role[member] == role  # the member is one of them: skip its place
        alive = self.in_role[net, role]
        avail = alive - own
        draw = (rng.random(net.size) * avail).astype(np.int64)
        draw += own & (start + draw >= self._at[net * n + member])
        pick = self._listed[start + np.minimum(draw, np.maximum(alive - 1, 0))]
        return np.where(avail > 0, pick, -1)

    def remove(self, nets: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Remove ``members[k]`` from network ``nets[k]`` (at most one per network) with their
        edges; return the (network, member) pairs they leave behind ("orphans"), network by
        network (within a network in no particular order)."""
        n = self.shape[1]
        rows = nets.astype(np.int64) * n + members
        degree = self.degree.reshape(-1)
        count = degree[rows]
        orphan = np.repeat(rows - rows % n, count) + self._nbr[self._slots(rows)]
        # each orphan's row holds the removed member once: move the row's last entry there
        slots = self._slots(orphan)
        gone = slots[self._nbr[slots] == np.repeat(np.repeat(members, count), degree[orphan])]
        degree[orphan] -= 1  # one removed member per network: each orphan loses one contact
        self._nbr[gone] = self._nbr[self._start[orphan] + degree[orphan]]
        degree[rows] = 0
        self.alive.reshape(-1)[rows] = False
        self._unlist(nets.astype(np.int64), members, rows)
        self._garbage += int(self._cap[rows].sum())
        self._cap[rows] = 0
        self._csr = None
        return np.divmod(orphan, n)

    def remove_and_rewire(
        self,
        nets: np.ndarray,
        members: np.ndarray,
        pick: Callable[[np.ndarray, np.ndarray], np.ndarray],
    ) -> None:
        """:meth:`remove` then :meth:`add` of an edge from each orphan to ``pick(net, orphan)``
        (a member, or -1 for none), in one pass over the orphans' rows: an orphan that gains a
        contact writes it where the removed member's entry was, so only the picked members'
        rows grow. ``pick`` sees the ensemble as after the removal."""
        n = self.shape[1]
        nets = nets.astype(np.int64)
        base = nets * n
        rows = base + members
        degree = self.degree.reshape(-1)
        count = degree[rows]
        orphan = np.repeat(base, count) + self._nbr[self._slots(rows)]
        held = degree[orphan]  # each orphan's row, the removed member included (>= 1 entry)
        slots = self._slots(orphan)
        values = self._nbr[slots]
        gone = slots[values == np.repeat(np.repeat(members, count), held)]
        degree[orphan] -= 1
        degree[rows] = 0
        self.alive.reshape(-1)[rows] = False
        self._unlist(nets, members, rows)
        self._garbage += int(self._cap[rows].sum())
        self._cap[rows] = 0
        self._csr = None
        net, local = np.divmod(orphan, n)
        other = np.asarray(pick(net, local))
        ok = (other >= 0) & (other != local)
        # not when the edge is there already (the orphan's row holds the other end)
        if orphan.size:
            hit = values == np.repeat(other, held)
            ok &= ~np.logical_or.reduceat(hit, np.cumsum(held) - held)
        # two orphans that picked each other: each writes the other in its own row, no append
        flat = orphan - local + other
        choice = self._scratch
        choice[orphan[ok]] = flat[ok]
        mutual = ok & (choice[np.where(ok, flat, 0)] == orphan)
        choice[orphan] = -1
        # the removed member's entry: the new contact, or the row's last entry
        self._nbr[gone] = np.where(ok, other, self._nbr[self._start[orphan] + degree[orphan]])
        degree[orphan] += ok
        grow = ok & ~mutual
        self._append(flat[grow], local[grow])

    def _append(self, rows: np.ndarray, cols: np.ndarray) -> None:
        """Write ``cols[k]`` after the last entry of row ``rows[k]`` (new edges' other ends)."""
        if rows.size == 0:
            return
        degree = self.degree.reshape(-1)
        order = np.argsort(rows, kind="stable")
        rows, cols = rows[order], cols[order]
        # rank of each entry among the earlier ones of its row
        head = np.ones(rows.size, dtype=bool)
        np.not_equal(rows[1:], rows[:-1], out=head[1:])
        at = np.arange(rows.size)
        rank = at - np.maximum.accumulate(np.where(head, at, 0))
        slot = degree[rows] + rank
        full = slot >= self._cap[rows]
        if full.any():  # rare: move the rows without room
            grow = np.unique(rows[full])
            more = np.searchsorted(rows, grow, side="right") - np.searchsorted(rows, grow)
            self._make_room(grow, more)
        self._nbr[self._start[rows] + slot] = cols
        np.add.at(degree, rows, 1)
        self._csr = None

    def add(self, nets: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        """Add the edges ``a[k]``–``b[k]`` of network ``nets[k]`` (alive members, ``a != b``)
        that are not there yet."""
        n = self.shape[1]
        degree = self.degree.reshape(-1)
        base = nets.astype(np.int64) * n
        lo, hi = base + np.minimum(a, b), base + np.maximum(a, b)
        # a repeated pair (two orphans that picked each other) is added once
        pair = lo * self.alive.size + hi
        order = np.argsort(pair, kind="stable")
        pair = pair[order]
        first = np.ones(pair.size, dtype=bool)
        np.not_equal(pair[1:], pair[:-1], out=first[1:])
        lo, hi = lo[order[first]], hi[order[first]]
        # drop the edges already there, looking through the shorter of the two rows
        scan = np.where(degree[lo] <= degree[hi], lo, hi)
        count = degree[scan]
        which = np.repeat(np.arange(scan.size), count)
        found = self._nbr[self._slots(scan)] == (lo + hi - scan)[which] % n
        new = np.ones(scan.size, dtype=bool)
        new[which[found]] = False
        lo, hi = lo[new], hi[new]
        if lo.size == 0:
            return
        self._append(np.concatenate([lo, hi]), np.concatenate([hi, lo]) % n)


def role_sizes(n: int) -> np.ndarray:
    """Table S-4 role sizes scaled to ``n`` members (largest remainder, at least 1 each)."""
    if n < len(ROLES):
        raise InputError("networks", "members", f"at least {len(ROLES)} (one per role)", n)
    exact = ROLE_SIZES * n / REFERENCE_MEMBERS
    sizes = np.maximum(np.floor(exact).astype(int), 1)
    short = n - sizes.sum()
    order = np.argsort(-(exact - np.floor(exact)), kind="stable")
    sizes[order[: max(short, 0)]] += 1
    while sizes.sum() > n:  # only when the "at least 1" floor overshot
        sizes[np.argmax(sizes)] -= 1
    return sizes


def _block_edges(
    rng: np.random.Generator, left: np.ndarray, right: np.ndarray, w: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` distinct edges between members ``left`` and ``right`` (ends ∝ weight ``w``)."""
    same = left is right
    possible = left.size * (left.size - 1) // 2 if same else left.size * right.size
    count = min(count, possible)
    pl, pr = w[left] / w[left].sum(), w[right] / w[right].sum()
    found = np.empty((0, 2), dtype=int)
    for _ in range(50):  # rejection of self-loops and repeats; converges in a few rounds
        need = count - len(found)
        if need <= 0:
            break
        draw = max(2 * need, 16)
        a, b = rng.choice(left, draw, p=pl), rng.choice(right, draw, p=pr)
        keep = a != b
        pairs = np.sort(np.stack([a[keep], b[keep]], axis=1), axis=1)
        found = np.unique(np.vstack([found, pairs]), axis=0)
        if len(found) > count:
            found = found[rng.permutation(len(found))[:count]]
    return found[:, 0], found[:, 1]


def generate(
    n: int,
    networks: int,
    rng: np.random.Generator,
    *,
    hub_exponent: float = 2.5,
    macro_degree: float = 4.0,
) -> Ensemble:
    """``networks`` value-chain networks of ``n`` members with Duijn et al.'s role statistics."""
    if networks < 1:
        raise InputError("networks", "networks", "at least 1", networks)
    if hub_exponent <= 1:
        raise InputError("networks", "hub_exponent", "a Pareto tail exponent above 1", hub_exponent)
    sizes = role_sizes(n)
    role = np.repeat(np.arange(len(ROLES)), sizes)
    members = [np.flatnonzero(role == r) for r in range(len(ROLES))]
    counts = np.rint(role_edges() * n / REFERENCE_MEMBERS).astype(int)
    nets, lows, highs, macro_rows, macro_cols = [], [], [], [], []
    for b in range(networks):
        w = rng.pareto(hub_exponent - 1.0, n) + 1.0
        for r, s in zip(*np.nonzero(np.triu(counts)), strict=True):
            i, j = _block_edges(rng, members[r], members[s], w, int(counts[r, s]))
            lows.append(np.minimum(i, j))
            highs.append(np.maximum(i, j))
            nets.append(np.full(i.size, b))
        extra = rng.poisson(macro_degree * n / 2)
        i, j = rng.integers(0, n, extra), rng.integers(0, n, extra)
        macro_rows.append(b * n + i)
        macro_cols.append(b * n + j)
    net, u, v = (np.concatenate(x).astype(np.int64) for x in (nets, lows, highs))
    key = np.sort(np.concatenate([(net * n + u) * n + v, (net * n + v) * n + u]))
    rows = np.concatenate([net * n + u, *macro_rows])
    cols = np.concatenate([net * n + v, *macro_cols])
    keep = rows != cols
    rows, cols = rows[keep], cols[keep]
    macro = sparse.csr_array(
        (np.ones(2 * rows.size, dtype=bool), (np.r_[rows, cols], np.r_[cols, rows])),
        shape=(networks * n,) * 2,
    )
    degree = np.zeros((networks, n), dtype=np.int64)
    np.add.at(degree, (net, u), 1)
    np.add.at(degree, (net, v), 1)
    return Ensemble(key, role, np.ones((networks, n), dtype=bool), degree, macro)
