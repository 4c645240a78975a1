// The event loop and the parts of the waiting machinery that need both the Simulation and
// PromiseBase (dispatch, interrupts, teardown).
#include "sim/kernel/simulation.hpp"

#include <algorithm>

namespace mss::kernel {

void Trigger::remove_waiter(PromiseBase* p) noexcept {
    auto it = std::find(waiters_.begin(), waiters_.end(), p);
    if (it == waiters_.end()) return;
    // While the trigger resumes its waiters, keep the vector's shape: they are walked by index.
    if (processing_)
        *it = nullptr;
    else
        waiters_.erase(it);
}

void PromiseBase::on_last_release() noexcept {
    // Unfinished frames belong to the simulation; finished ones die with their last reference.
    if (finished && !sim->tearing_down()) self.destroy();
}

void PromiseBase::deliver_queued_interrupt() {
    if (interrupt_due_ || interrupts.empty()) return;
    sim->cancel_wait(*this);
    interrupt_due_ = true;
    wake_key = sim->schedule_resume(*this, sim->now(), Priority::urgent);
}

Simulation::~Simulation() {
    tearing_down_ = true;
    // Pending events lose the calendar's reference; process frames are destroyed below
    // without running, so their pending completion entries need no release.
    for (const CalendarEntry& e : calendar_.entries()) {
        if (!(e.target & kTriggerTag)) continue;
        auto* t = reinterpret_cast<Trigger*>(e.target & ~kTriggerTag);
        if (dynamic_cast<PromiseBase*>(t) == nullptr) t->release();
    }
    calendar_.clear();
    while (live_ != nullptr)
        live_->self.destroy();  // the promise's destructor unlinks it
}

void Simulation::adopt(PromiseBase& p) noexcept {
    p.live_prev = nullptr;
    p.live_next = live_;
    if (live_ != nullptr) live_->live_prev = &p;
    live_ = &p;
}

void Simulation::forget(PromiseBase& p) noexcept {
    if (p.live_prev != nullptr)
        p.live_prev->live_next = p.live_next;
    else if (live_ == &p)
        live_ = p.live_next;
    if (p.live_next != nullptr) p.live_next->live_prev = p.live_prev;
    p.live_prev = p.live_next = nullptr;
}

void Simulation::run() {
    while (step_before(std::numeric_limits<double>::infinity())) {
    }
}

void Simulation::run_until(double t) {
    if (std::isnan(t)) throw KernelError("run_until: time is NaN");
    while (step_before(t)) {
    }
    if (now_ < t && std::isfinite(t)) now_ = t;
}

bool Simulation::step() {
    return step_before(std::numeric_limits<double>::infinity());
}

bool Simulation::step_before(double limit) {
    if (calendar_.empty()) return false;
    const CalendarEntry e = calendar_.top();
    if (!(e.time < limit)) return false;
    now_ = e.time;
    ++handled_;
    pending_pop_ = true;
    dispatch(e);
    if (pending_pop_) {
        pending_pop_ = false;
        calendar_.pop();
    }
    if (unhandled_) [[unlikely]] {
        std::exception_ptr error = std::move(unhandled_);
        unhandled_ = nullptr;
        std::rethrow_exception(error);
    }
    return true;
}

void Simulation::dispatch(const CalendarEntry& e) noexcept {
    if (e.target & kTriggerTag) {
        process_trigger(*reinterpret_cast<Trigger*>(e.target & ~kTriggerTag));
        return;
    }
    PromiseBase& p = *reinterpret_cast<PromiseBase*>(e.target);
    if (p.wake_key != e.key) {  // stale: an interrupt withdrew this wake-up
        p.release();
        return;
    }
    p.wake_key = 0;
    p.cancel = nullptr;
    resume(p);
}

void Simulation::process_trigger(Trigger& t) noexcept {
    t.mark_processed();
    std::vector<PromiseBase*>& ws = t.waiters();
    if (!t.ok() && ws.empty()) set_unhandled(t.error());
    t.set_processing(true);
    // Waiters resume in the order they started waiting. One may interrupt a later one, which
    // then drops out (remove_waiter nulls its slot while processing).
    for (std::size_t i = 0; i < ws.size(); ++i) {
        PromiseBase* w = ws[i];
        if (w == nullptr) continue;
        ws[i] = nullptr;
        if (t.ok() && --w->wait_remaining != 0) continue;  // all_of: more to come
        w->woken_by = &t;
        w->cancel = nullptr;
        resume(*w);
    }
    ws.clear();
    t.set_processing(false);
    t.release();
}

void Simulation::cancel_wait(PromiseBase& p) noexcept {
    if (p.wake_key != 0) {
        p.retain();  // the stale calendar entry keeps the frame alive until it is popped
        p.wake_key = 0;
    }
    if (p.cancel != nullptr) {
        CancelFn c = p.cancel;
        p.cancel = nullptr;
        c(p.cancel_ctx, p);
    }
}

void Simulation::interrupt(PromiseBase& p, std::any cause) {
    if (p.finished) throw KernelError("interrupt: the process has already finished");
    if (&p == active_) throw KernelError("interrupt: a process cannot interrupt itself");
    p.interrupts.push_back(std::move(cause));
    if (p.interrupt_due()) return;  // one is on its way; this one follows at the next wait
    if (!p.waiting()) return;       // not waiting yet: delivered at its next wait
    cancel_wait(p);
    p.set_interrupt_due();
    p.wake_key = schedule_resume(p, now_, Priority::urgent);
}

}  // namespace mss::kernel
