"""The queue behind the LEAD waitlist and the treatment and housing waitlists."""

from lead_sim.agents.waitlist import Waitlist


def drain(queue: Waitlist) -> list[int]:
    served = []
    while (person := queue.popleft()) is not None:
        served.append(person)
    return served


def test_first_come_first_served():
    queue = Waitlist(100)
    queue.extend([3, 1, 2])
    assert len(queue) == 3 and list(queue) == [3, 1, 2]
    assert drain(queue) == [3, 1, 2] and len(queue) == 0 and queue.popleft() is None


def test_joining_again_replaces_the_earlier_place():
    # served once only, from the back: the stale entry at the front is skipped
    queue = Waitlist(100)
    queue.extend([5, 6])
    queue.extend([5])
    assert len(queue) == 2 and list(queue) == [6, 5]
    assert drain(queue) == [6, 5]


def test_a_withdrawn_place_is_skipped_and_rejoining_works():
    queue = Waitlist(100)
    queue.extend([7, 8, 9])
    queue.withdraw([8, 42])  # 42 never waited: ignored
    assert len(queue) == 2 and drain(queue) == [7, 9]
    queue.extend([8])
    assert drain(queue) == [8]


def test_stale_places_do_not_pile_up_in_a_queue_never_served():
    """A full pool serves nobody for months while people join, leave and join again: the
    queue's memory stays within twice the people waiting, and the order is kept."""
    import random

    rng = random.Random(5)
    queue, reference = Waitlist(100), []  # reference: the order a plain list would serve
    for _ in range(2000):
        person = rng.randrange(50)
        if rng.random() < 0.5:
            queue.extend([person])
            reference = [p for p in reference if p != person] + [person]
        else:
            queue.withdraw([person])
            reference = [p for p in reference if p != person]
        assert queue.stored() <= 2 * len(reference) + 1
    assert list(queue) == reference and drain(queue) == reference


def test_a_queue_served_as_fast_as_it_fills_never_runs_out_of_room():
    """Join and serve one person at a time, far more often than the arrays hold rows: the
    live part is moved back to the front instead of running off the end."""
    queue = Waitlist(3)
    for turn in range(100):
        queue.extend([turn % 3])
        assert queue.popleft() == turn % 3
    queue.extend([0, 1, 2])
    assert list(queue) == [0, 1, 2] and queue.stored() <= len(queue.queue.entries)
