"""A first-come, first-served queue in which each person holds at most one place.

People leave queues in ways the queue does not see at once (custody, giving up, a need met some
other way), and may join again later. A plain deque would then hold two entries for one person,
and both could be served in the same round: one person on two caseloads, or in two treatment
slots. Here joining again replaces the earlier place (the person goes to the back), and a place
can be withdrawn; entries made stale either way are skipped when they reach the front. When
stale entries outnumber the live ones the queue is rebuilt without them, in the same order, so
it never holds more than about twice the people waiting.

The queue is three arrays (:data:`Queue`) so that the compiled daily step can use it; the
:class:`Waitlist` class gives Python code the same operations.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Iterator

import numpy as np

from lead_sim.engine.jit import compiled

# entries: (person, ticket) rows, the live part from meta[HEAD] to meta[TAIL]; tickets: each
# person's live ticket (0 when not waiting); meta: head, tail, tickets issued, people waiting.
Queue = namedtuple("Queue", "entries tickets meta")
HEAD, TAIL, ISSUED, WAITING = 0, 1, 2, 3


def new_queue(people: int) -> Queue:
    """An empty queue for person slots ``0 .. people - 1``."""
    return Queue(np.zeros((2 * people + 2, 2), np.int64), np.zeros(people, np.int64),
                 np.zeros(4, np.int64))


@compiled
def join(q: Queue, people: np.ndarray) -> None:
    """Put ``people`` at the back (a person already waiting loses the earlier place)."""
    meta = q.meta
    for person in people:
        if meta[TAIL] == len(q.entries):  # at the end of the arrays: move the live part down
            _compact(q)
        meta[ISSUED] += 1
        if q.tickets[person] == 0:
            meta[WAITING] += 1
        q.tickets[person] = meta[ISSUED]
        q.entries[meta[TAIL], 0] = person
        q.entries[meta[TAIL], 1] = meta[ISSUED]
        meta[TAIL] += 1
        _compact_if_mostly_stale(q)


@compiled
def withdraw(q: Queue, people: np.ndarray) -> None:
    """Remove ``people``'s places, if they hold one."""
    if q.meta[WAITING] == 0:  # nobody waits: the common case, and called for every custody
        return
    for person in people:
        if q.tickets[person] != 0:
            q.tickets[person] = 0
            q.meta[WAITING] -= 1
    _compact_if_mostly_stale(q)


@compiled
def pop_front(q: Queue) -> int:
    """The person at the front (their place is used up), or -1 if nobody waits."""
    meta = q.meta
    while meta[HEAD] < meta[TAIL]:
        person, ticket = q.entries[meta[HEAD], 0], q.entries[meta[HEAD], 1]
        meta[HEAD] += 1
        if q.tickets[person] == ticket:
            q.tickets[person] = 0
            meta[WAITING] -= 1
            return person
    return -1


@compiled
def _compact_if_mostly_stale(q: Queue) -> None:
    """Drop stale entries once they outnumber live ones, keeping the live ones' order.

    Joining again and withdrawing make entries stale, so checking after each keeps stale
    entries no more than live ones plus one, within the arrays' room for twice the people.
    """
    if q.meta[TAIL] - q.meta[HEAD] > 2 * q.meta[WAITING]:
        _compact(q)


@compiled
def _compact(q: Queue) -> None:
    """Move the live entries to the front of the arrays, in order, dropping stale ones."""
    meta = q.meta
    kept = 0
    for row in range(meta[HEAD], meta[TAIL]):
        person = q.entries[row, 0]
        if q.tickets[person] == q.entries[row, 1]:
            q.entries[kept, 0] = person
            q.entries[kept, 1] = q.entries[row, 1]
            kept += 1
    meta[HEAD], meta[TAIL] = 0, kept


@compiled
def waiting_people(q: Queue) -> np.ndarray:
    """The people waiting, front first."""
    out = np.empty(q.meta[WAITING], np.int64)
    n = 0
    for row in range(q.meta[HEAD], q.meta[TAIL]):
        person = q.entries[row, 0]
        if q.tickets[person] == q.entries[row, 1]:
            out[n] = person
            n += 1
    return out


class Waitlist:
    """A FIFO of person slots, at most one live place per person (Python's view of a
    :data:`Queue`)."""

    def __init__(self, people: int) -> None:
        self.queue = new_queue(people)

    @classmethod
    def viewing(cls, queue: Queue) -> Waitlist:
        """A Waitlist over an existing queue's arrays (the model's)."""
        waitlist = cls.__new__(cls)
        waitlist.queue = queue
        return waitlist

    def extend(self, people: Iterable[int]) -> None:
        join(self.queue, np.fromiter(people, np.int64))

    def withdraw(self, people: Iterable[int]) -> None:
        withdraw(self.queue, np.fromiter(people, np.int64))

    def popleft(self) -> int | None:
        person = pop_front(self.queue)
        return None if person < 0 else person

    def stored(self) -> int:
        """Entries held, live and stale."""
        return int(self.queue.meta[TAIL] - self.queue.meta[HEAD])

    def __len__(self) -> int:
        return int(self.queue.meta[WAITING])

    def __iter__(self) -> Iterator[int]:
        """Waiting people, front first."""
        return iter(waiting_people(self.queue).tolist())
