"""A first-come, first-served queue in which each person holds at most one place.

People leave queues in ways the queue does not see at once (custody, giving up, a need met some
other way), and may join again later. A plain deque would then hold two entries for one person,
and both could be served in the same round: one person on two caseloads, or in two treatment
slots. Here joining again replaces the earlier place (the person goes to the back), and a place
can be withdrawn; entries made stale either way are skipped when they reach the front. When a
queue is not served for a long time (a full pool) stale entries would pile up, so once they
outnumber the live ones the queue is rebuilt without them, in the same order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator


class Waitlist:
    """A FIFO of person slots, at most one live place per person."""

    def __init__(self) -> None:
        self._entries: deque[tuple[int, int]] = deque()  # (person, ticket), oldest first
        self._ticket: dict[int, int] = {}  # each waiting person's live ticket
        self._issued = 0

    def extend(self, people: Iterable[int]) -> None:
        """Put ``people`` at the back (a person already waiting loses the earlier place)."""
        for person in people:
            self._issued += 1
            self._ticket[int(person)] = self._issued
            self._entries.append((int(person), self._issued))
        self._compact_if_mostly_stale()

    def withdraw(self, people: Iterable[int]) -> None:
        """Remove ``people``'s places, if they hold one."""
        if not self._ticket:  # nobody waits: the common case, and called for every custody
            return
        for person in people:
            self._ticket.pop(int(person), None)
        self._compact_if_mostly_stale()

    def _compact_if_mostly_stale(self) -> None:
        """Drop stale entries once they outnumber live ones, keeping the live ones' order.

        Joining again and withdrawing are what make entries stale, so checking after them keeps
        stale entries no more than live ones (serving only removes entries). Each pass costs
        less than two entries' work per stale entry made since the previous pass.
        """
        if len(self._entries) > 2 * len(self._ticket):
            self._entries = deque(self._live_entries())

    def popleft(self) -> int | None:
        """The person at the front (their place is used up), or None if nobody waits."""
        while self._entries:
            person, ticket = self._entries.popleft()
            if self._ticket.get(person) == ticket:
                del self._ticket[person]
                return person
        return None

    def __len__(self) -> int:
        return len(self._ticket)

    def __iter__(self) -> Iterator[int]:
        """Waiting people, front first."""
        return (person for person, _ in self._live_entries())

    def _live_entries(self) -> Iterator[tuple[int, int]]:
        """The entries still holding a place, front first."""
        return ((p, t) for p, t in self._entries if self._ticket.get(p) == t)
