// Personnel records, counts and invariant checks.
#include "sim/model/roster.hpp"

#include <cstdlib>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mss::model {

namespace detail {

void* allocate_records(std::size_t bytes) {
    constexpr std::size_t kLine = 64, kHuge = std::size_t{1} << 21;
    const std::size_t align = bytes >= kHuge ? kHuge : kLine;
    const std::size_t size = (bytes + align - 1) / align * align;  // aligned_alloc's rule
    void* p = std::aligned_alloc(align, size > 0 ? size : align);
    if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == kHuge) madvise(p, size, MADV_HUGEPAGE);  // a hint: failure changes nothing
#endif
    return p;
}

void free_records(void* p) noexcept {
    std::free(p);
}

}  // namespace detail

const char* to_string(PersonState s) noexcept {
    switch (s) {
        case PersonState::pledged:
            return "pledged";
        case PersonState::ready:
            return "ready";
        case PersonState::in_transit_in:
            return "in_transit_in";
        case PersonState::on_duty:
            return "on_duty";
        case PersonState::injured:
            return "injured";
        case PersonState::in_transit_out:
            return "in_transit_out";
        case PersonState::home:
            return "home";
        case PersonState::killed:
            return "killed";
        case PersonState::attrited:
            return "attrited";
        case PersonState::stood_down:
            return "stood_down";
    }
    return "unknown";
}

namespace {
bool in_theatre_state(PersonState s) {
    return s == PersonState::on_duty || s == PersonState::injured;
}
}  // namespace

Roster::Roster(const std::vector<std::int32_t>& billets) {
    std::int32_t next = 0;
    for (std::size_t c = 0; c < billets.size(); ++c) {
        first_billet_.push_back(next);
        billet_count_.push_back(billets[c]);
        for (std::int32_t i = 0; i < billets[c]; ++i) {
            Billet b;
            b.contingent = static_cast<std::int16_t>(c);
            billets_.push_back(b);
        }
        next += billets[c];
    }
    counts_.assign(billets.size(), std::vector<std::int64_t>(kPersonStateCount, 0));
    generated_.assign(billets.size(), 0);
    theatre_.resize(billets.size());
    filled_.assign(billets.size(), 0);
}

std::int32_t Roster::add(std::int16_t c, std::int32_t billet, BilletRole role) {
    const auto id = static_cast<std::int32_t>(persons_.size());
    Person p;
    p.contingent = c;
    p.billet = billet;
    p.role = role;
    persons_.push_back(p);
    ++counts_[static_cast<std::size_t>(c)][static_cast<std::size_t>(PersonState::pledged)];
    ++generated_[static_cast<std::size_t>(c)];
    Billet& b = billets_[static_cast<std::size_t>(billet)];
    if (role == BilletRole::incumbent) b.incumbent = id;
    if (role == BilletRole::relief) b.relief = id;
    return id;
}

void Roster::remove_from(std::vector<std::int32_t>& set, Persons& persons,
                         std::int32_t Person::*slot, std::int32_t p) {
    Person& x = persons[static_cast<std::size_t>(p)];
    const std::int32_t i = x.*slot;
    const std::int32_t last = set.back();
    set[static_cast<std::size_t>(i)] = last;
    persons[static_cast<std::size_t>(last)].*slot = i;
    set.pop_back();
    x.*slot = -1;
}

void Roster::set_state(std::int32_t id, PersonState s) {
    Person& p = persons_[static_cast<std::size_t>(id)];
    const PersonState old = p.state;
    if (old == s) return;
    auto& cnt = counts_[static_cast<std::size_t>(p.contingent)];
    --cnt[static_cast<std::size_t>(old)];
    ++cnt[static_cast<std::size_t>(s)];
    p.state = s;
    if (p.role == BilletRole::incumbent) {
        if (old == PersonState::on_duty) --filled_[static_cast<std::size_t>(p.contingent)];
        if (s == PersonState::on_duty) ++filled_[static_cast<std::size_t>(p.contingent)];
    }
    auto& th = theatre_[static_cast<std::size_t>(p.contingent)];
    if (old == PersonState::on_duty) remove_from(duty_, persons_, &Person::duty_slot, id);
    if (in_theatre_state(old) && !in_theatre_state(s)) {
        remove_from(th, persons_, &Person::theatre_slot, id);
        --in_theatre_total_;
    }
    if (!in_theatre_state(old) && in_theatre_state(s)) {
        p.theatre_slot = static_cast<std::int32_t>(th.size());
        th.push_back(id);
        ++in_theatre_total_;
    }
    if (s == PersonState::on_duty) {
        p.duty_slot = static_cast<std::int32_t>(duty_.size());
        duty_.push_back(id);
    }
    if (old == PersonState::in_transit_in) --inbound_total_;
    if (s == PersonState::in_transit_in) ++inbound_total_;
}

void Roster::set_role(std::int32_t id, BilletRole r) {
    Person& p = persons_[static_cast<std::size_t>(id)];
    if (p.role == r) return;
    if (p.state == PersonState::on_duty) {
        if (p.role == BilletRole::incumbent) --filled_[static_cast<std::size_t>(p.contingent)];
        if (r == BilletRole::incumbent) ++filled_[static_cast<std::size_t>(p.contingent)];
    }
    p.role = r;
}

void Roster::swap_on_duty(std::size_t i, std::size_t j) {
    if (i == j) return;
    std::swap(duty_[i], duty_[j]);
    persons_[static_cast<std::size_t>(duty_[i])].duty_slot = static_cast<std::int32_t>(i);
    persons_[static_cast<std::size_t>(duty_[j])].duty_slot = static_cast<std::int32_t>(j);
}

std::string Roster::check() const {
    const std::size_t nc = counts_.size();
    std::vector<std::vector<std::int64_t>> recount(nc,
                                                   std::vector<std::int64_t>(kPersonStateCount, 0));
    std::int64_t theatre_total = 0, inbound = 0, duty = 0;
    std::vector<std::int64_t> filled(nc, 0);
    for (std::size_t i = 0; i < persons_.size(); ++i) {
        const Person& p = persons_[i];
        const auto id = static_cast<std::int32_t>(i);
        ++recount[static_cast<std::size_t>(p.contingent)][static_cast<std::size_t>(p.state)];
        auto who_of = [&] {
            return "person " + std::to_string(i) + " (" + to_string(p.state) + ")";
        };
        if (in_theatre_state(p.state)) {
            ++theatre_total;
            const auto& th = theatre_[static_cast<std::size_t>(p.contingent)];
            if (p.theatre_slot < 0 || static_cast<std::size_t>(p.theatre_slot) >= th.size() ||
                th[static_cast<std::size_t>(p.theatre_slot)] != id)
                return who_of() + " is in theatre but not in its contingent's theatre set";
        } else if (p.theatre_slot != -1) {
            return who_of() + " is out of theatre but still in a theatre set";
        }
        if (p.state == PersonState::on_duty) {
            ++duty;
            if (p.duty_slot < 0 || static_cast<std::size_t>(p.duty_slot) >= duty_.size() ||
                duty_[static_cast<std::size_t>(p.duty_slot)] != id)
                return who_of() + " is on duty but not in the on-duty set";
        } else if (p.duty_slot != -1) {
            return who_of() + " is not on duty but in the on-duty set";
        }
        if (p.state == PersonState::in_transit_in) ++inbound;
        const Billet& b = billets_[static_cast<std::size_t>(p.billet)];
        if (b.contingent != p.contingent) return who_of() + " holds a billet of another contingent";
        if (p.role == BilletRole::incumbent && b.incumbent != id)
            return who_of() + " is incumbent but billet " + std::to_string(p.billet) + " names " +
                   std::to_string(b.incumbent);
        if (p.role == BilletRole::relief && b.relief != id)
            return who_of() + " is relief but billet " + std::to_string(p.billet) + " names " +
                   std::to_string(b.relief);
        if (p.role == BilletRole::relief && p.state != PersonState::pledged &&
            p.state != PersonState::ready && p.state != PersonState::in_transit_in)
            return who_of() + " is a pending relief but not on the way";
        if (p.role == BilletRole::incumbent &&
            (p.state == PersonState::in_transit_out || p.state == PersonState::home ||
             p.state == PersonState::killed || p.state == PersonState::attrited ||
             p.state == PersonState::stood_down))
            return who_of() + " left but is still a billet's incumbent";
    }
    for (std::size_t bi = 0; bi < billets_.size(); ++bi) {
        const Billet& b = billets_[bi];
        const auto id = static_cast<std::int32_t>(bi);
        if (b.incumbent >= 0 &&
            (persons_[static_cast<std::size_t>(b.incumbent)].role != BilletRole::incumbent ||
             persons_[static_cast<std::size_t>(b.incumbent)].billet != id))
            return "billet " + std::to_string(bi) + " names an incumbent that is not its own";
        if (b.relief >= 0 &&
            (persons_[static_cast<std::size_t>(b.relief)].role != BilletRole::relief ||
             persons_[static_cast<std::size_t>(b.relief)].billet != id))
            return "billet " + std::to_string(bi) + " names a relief that is not its own";
        if (b.incumbent >= 0 && b.incumbent == b.relief)
            return "billet " + std::to_string(bi) + " has the same person as incumbent and relief";
        if (b.incumbent >= 0 &&
            persons_[static_cast<std::size_t>(b.incumbent)].state == PersonState::on_duty)
            ++filled[static_cast<std::size_t>(b.contingent)];
    }
    for (std::size_t c = 0; c < nc; ++c)
        if (filled[c] != filled_[c])
            return "contingent " + std::to_string(c) + ": filled count is " +
                   std::to_string(filled_[c]) + ", recount " + std::to_string(filled[c]);
    for (std::size_t c = 0; c < nc; ++c) {
        std::int64_t sum = 0;
        for (int s = 0; s < kPersonStateCount; ++s) {
            if (recount[c][static_cast<std::size_t>(s)] != counts_[c][static_cast<std::size_t>(s)])
                return "contingent " + std::to_string(c) + ": count of state " +
                       to_string(static_cast<PersonState>(s)) + " is " +
                       std::to_string(counts_[c][static_cast<std::size_t>(s)]) + ", recount " +
                       std::to_string(recount[c][static_cast<std::size_t>(s)]);
            sum += counts_[c][static_cast<std::size_t>(s)];
        }
        if (sum != generated_[c])
            return "contingent " + std::to_string(c) + ": states sum to " + std::to_string(sum) +
                   " but " + std::to_string(generated_[c]) + " were generated";
        if (static_cast<std::int64_t>(theatre_[c].size()) !=
            counts_[c][static_cast<std::size_t>(PersonState::on_duty)] +
                counts_[c][static_cast<std::size_t>(PersonState::injured)])
            return "contingent " + std::to_string(c) + ": theatre set size differs from counts";
    }
    if (theatre_total != in_theatre_total_) return "in-theatre total out of step";
    if (inbound != inbound_total_) return "inbound total out of step";
    if (duty != static_cast<std::int64_t>(duty_.size())) return "on-duty set size out of step";
    return {};
}

}  // namespace mss::model
