"""The run controls: Reset, Play/Pause, Step and how many days a Step (and a frame of Play)
advances, with the date and the compile-progress message.

Mesa's ``ModelController`` stepped one more frame after Pause (its play loop slept, then stepped
without looking whether Pause had come meanwhile) and named its buttons "▶" and "❚❚". Here a
per-session lock makes a frame and Pause take turns: once Pause returns no frame is running and
none will start, so the date shown at Pause is the date the run stays at.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import solara
from mesa.visualization.utils import force_update, update_counter

from lead_sim.viz.session import VizSession
from lead_sim.viz.warmup import WARMUP

PLAY_PAUSE_S = 0.15  # between frames while playing, so renders and clicks get a turn
STEP_CHOICES = {"1 day": 1, "1 week": 7, "30 days": 30, "90 days": 90}
DEFAULT_STEP = "1 week"
_LOCKS: dict[int, threading.Lock] = {}


def session_lock(session: VizSession) -> threading.Lock:
    """The lock a session's frames, Steps and Pause take turns with."""
    return _LOCKS.setdefault(id(session), threading.Lock())


def date_text(session: VizSession) -> str:
    """The headline date: the last simulated day, or the start before anything is simulated
    (so a first one-day Step visibly moves it from 'starts' to the day itself)."""
    if session.policy.day == 0:
        return f"Starts {session.policy.date:%d %B %Y}"
    return f"{session.last_date:%d %B %Y}"


def days_text(days: int) -> str:
    return f"{days:,} day" if days == 1 else f"{days:,} days"


@solara.component
def RunControls(session: VizSession, reset: Callable[[], None],
                step_choice: solara.Reactive[str]):
    update_counter.get()
    playing = solara.use_reactive(False)
    lock = session_lock(session)

    def play_loop():
        while playing.value:
            time.sleep(PLAY_PAUSE_S)
            with lock:
                if not playing.value or not session.running:
                    break
                session.advance(STEP_CHOICES[step_choice.value])
            force_update()
        playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value, session],
                        prefer_threaded=True)

    def pause():
        with lock:  # waits for a frame in progress: no frame after this returns
            playing.value = False

    def step():
        with lock:
            session.advance(STEP_CHOICES[step_choice.value])
        force_update()

    def do_reset():
        pause()
        reset()

    days = STEP_CHOICES[step_choice.value]
    can_run = WARMUP.ready.is_set() and not WARMUP.error and session.running
    with solara.Div(classes=["lead-runbar"],
                    attributes={"role": "region", "aria-label": "Run controls"}):
        with solara.Div(classes=["lead-runbar-row", "lead-when"]):
            solara.HTML(tag="span", unsafe_innerHTML=date_text(session),
                        classes=["lead-headline-date"])
            solara.Text(f"day {session.policy.day:,} of {session.policy.days:,}",
                        classes=["lead-daycount"])
        with solara.Div(classes=["lead-runbar-row"]):
            solara.Button("Reset", on_click=do_reset, outlined=True, classes=["lead-reset"])
            if playing.value:
                solara.Button("Pause", icon_name="mdi-pause", on_click=pause, color="primary",
                              classes=["lead-pause"])
            else:
                solara.Button("Play", icon_name="mdi-play", on_click=lambda: playing.set(True),
                              color="primary", disabled=not can_run, classes=["lead-play"])
            solara.Button(f"Step {days_text(days)}", on_click=step,
                          disabled=playing.value or not can_run, outlined=True,
                          classes=["lead-step"])
        with solara.Div(classes=["lead-runbar-row"]):
            solara.Text("Days per Step and per frame of Play:", classes=["lead-small"])
            solara.ToggleButtonsSingle(value=step_choice, values=list(STEP_CHOICES), dense=True,
                                       classes=["lead-step-size"])
        message = WARMUP.message()
        if message:
            solara.Info(message, classes=["lead-warmup"], dense=True)
        elif not session.running:
            solara.Info("The scenario has reached its end date. Press Reset to run it again.",
                        dense=True)
