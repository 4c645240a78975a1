// Personnel and billets as flat data records (DESIGN §3 "Billets"): the mission's processes
// move people by changing these records, never by running a coroutine per person, so 100,000
// personnel stay cheap. The Roster keeps per-state counts and the sets the violence and
// attrition rules draw victims from, and checks conservation and the billet invariants.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/model/ids.hpp"

namespace mss::model {

/// Where a person is in the pipeline. Every person is in exactly one state.
enum class PersonState : std::uint8_t {
    pledged,         ///< generated (a batch member or a requested relief), not yet ready
    ready,           ///< ready at the origin airport, not launched
    in_transit_in,   ///< airborne inbound, at an alternate, or on a transfer link inbound
    on_duty,         ///< in theatre, not injured
    injured,         ///< in theatre, wounded (recovering, or waiting for medevac)
    in_transit_out,  ///< left theatre: on a link, at an alternate, or airborne outbound
    home,            ///< landed at the origin after leaving theatre
    killed,          ///< killed in theatre
    attrited,        ///< non-combat loss: removed from theatre at once (not flown out)
    stood_down,      ///< a relief that never left home (its contingent drew down first)
};
inline constexpr int kPersonStateCount = 10;
const char* to_string(PersonState s) noexcept;

/// What a person is to their billet.
enum class BilletRole : std::uint8_t {
    none,       ///< released (relieved, tour over, evacuated, dead, stood down)
    incumbent,  ///< the billet's one occupant (in theatre or on the way to it)
    relief,     ///< the billet's one pending relief
};

inline constexpr double kNever = std::numeric_limits<double>::quiet_NaN();

/// One officer (one cache line).
struct alignas(64) Person {
    std::int32_t billet = -1;      ///< global billet index
    std::int16_t contingent = -1;  ///< contingent index
    std::int16_t location = -1;    ///< airport index while at an airport, -1 otherwise
    PersonState state = PersonState::pledged;
    BilletRole role = BilletRole::none;
    bool leaving = false;            ///< released from the billet, waiting for lift home
    bool medevac = false;            ///< to be evacuated (medevacs board first)
    std::int32_t theatre_slot = -1;  ///< index in the contingent's theatre set
    std::int32_t duty_slot = -1;     ///< index in the on-duty set
    std::int32_t pool = -1;          ///< outbound queue holding the person, or -1
    std::uint32_t ticket = 0;        ///< validity stamp of the person's queue entries
    std::int32_t tour_stamp = 0;     ///< changes with tour_end_h (validity of timed actions)
    double ready_h = kNever;         ///< when the person became ready at the origin
    double arrived_h = kNever;       ///< when the person reached theatre (tour start)
    double tour_end_h = kNever;      ///< tour end due
    double wait_since_h = kNever;    ///< when the person joined an outbound queue
};

/// Where `p` is: the airport while at one, else an invalid id.
inline AirportId location_of(const Person& p) noexcept {
    return AirportId(std::int32_t{p.location});
}
/// Puts `p` at airport `a` (an invalid id: not at an airport).
inline void place(Person& p, AirportId a) noexcept {
    p.location = static_cast<std::int16_t>(a.value);
}
/// The contingent of `p`.
inline ContingentId contingent_of(const Person& p) noexcept {
    return ContingentId(std::int32_t{p.contingent});
}

namespace detail {
/// `bytes` of storage aligned to 64 bytes; blocks of 2 MiB or more are aligned to 2 MiB and
/// asked to be backed by transparent huge pages (Linux).
void* allocate_records(std::size_t bytes);
/// Frees what allocate_records gave.
void free_records(void* p) noexcept;
}  // namespace detail

/// Storage for the person records. The records are read in agenda order, which is random over
/// the roster: with 4 KiB pages a roster of 600,000 records (38 MB) spans ~9,400 pages, beyond
/// what the TLB covers, and the first touch of each page is a page fault. Huge pages change
/// where the records live, never their order or contents.
template <class T>
struct RecordAllocator {
    using value_type = T;
    RecordAllocator() = default;
    template <class U>
    RecordAllocator(const RecordAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(detail::allocate_records(n * sizeof(T))); }
    void deallocate(T* p, std::size_t) noexcept { detail::free_records(p); }
    template <class U>
    bool operator==(const RecordAllocator<U>&) const noexcept {
        return true;
    }
};

/// One post: at most one incumbent and at most one pending relief.
struct Billet {
    std::int32_t incumbent = -1;
    std::int32_t relief = -1;
    std::int16_t contingent = -1;
};

/// The personnel records of one replication, with per-state counts and victim sets.
///
/// Invariants (check() verifies them): every person is counted in exactly one state; a
/// billet's incumbent and relief point back to it and nobody is incumbent or relief of two
/// billets; people in theatre are exactly the members of their contingent's theatre set, and
/// people on duty exactly the members of the on-duty set.
class Roster {
public:
    /// `billets[c]` posts for contingent c.
    explicit Roster(const std::vector<std::int32_t>& billets);

    /// A new person of contingent c assigned to `billet` in `role`, in state pledged.
    std::int32_t add(std::int16_t c, std::int32_t billet, BilletRole role);
    /// Moves person `p` to state `s`, keeping counts and sets in step.
    void set_state(std::int32_t p, PersonState s);

    Person& person(std::int32_t p) { return persons_[static_cast<std::size_t>(p)]; }
    /// Asks the cache for person `p`'s record (a hint: changes nothing). The records are read
    /// in an order that is random over the roster, so at 100x personnel nearly every first
    /// read misses; asking some steps ahead overlaps the misses.
    void prefetch(std::int32_t p) const noexcept {
        __builtin_prefetch(&persons_[static_cast<std::size_t>(p)]);
    }
    /// Asks the cache for the billet of person `p` (whose record should be in the cache).
    void prefetch_billet(std::int32_t p) const noexcept {
        __builtin_prefetch(&billets_[static_cast<std::size_t>(person(p).billet)]);
    }
    const Person& person(std::int32_t p) const { return persons_[static_cast<std::size_t>(p)]; }
    Billet& billet(std::int32_t b) { return billets_[static_cast<std::size_t>(b)]; }
    const Billet& billet(std::int32_t b) const { return billets_[static_cast<std::size_t>(b)]; }
    /// The first global billet index of contingent c.
    std::int32_t first_billet(int c) const { return first_billet_[static_cast<std::size_t>(c)]; }
    /// Number of billets of contingent c.
    std::int32_t billets_of(int c) const { return billet_count_[static_cast<std::size_t>(c)]; }

    std::size_t size() const noexcept { return persons_.size(); }
    /// Reserves room for `n` people.
    void reserve(std::size_t n) { persons_.reserve(n); }
    std::size_t contingents() const noexcept { return counts_.size(); }
    /// People of contingent c in state s.
    std::int64_t count(int c, PersonState s) const {
        return counts_[static_cast<std::size_t>(c)][static_cast<std::size_t>(s)];
    }
    /// People of contingent c ever generated.
    std::int64_t generated(int c) const { return generated_[static_cast<std::size_t>(c)]; }
    /// People of contingent c in theatre (on duty or injured).
    std::int64_t in_theatre(int c) const {
        return count(c, PersonState::on_duty) + count(c, PersonState::injured);
    }
    /// Everyone in theatre.
    std::int64_t in_theatre_total() const { return in_theatre_total_; }
    /// Everyone inbound (in_transit_in).
    std::int64_t inbound_total() const { return inbound_total_; }
    /// Billets of contingent c whose incumbent is on duty (DESIGN §3 `filled`).
    std::int64_t filled(int c) const { return filled_[static_cast<std::size_t>(c)]; }
    /// Gives person `p` the role `r` towards their billet. The billet's incumbent and relief
    /// fields are the caller's to set; this keeps the filled counts in step.
    void set_role(std::int32_t p, BilletRole r);

    /// The people of contingent c in theatre (unordered; order is deterministic).
    const std::vector<std::int32_t>& theatre(int c) const {
        return theatre_[static_cast<std::size_t>(c)];
    }
    /// Everyone on duty (unordered; order is deterministic).
    const std::vector<std::int32_t>& on_duty() const { return duty_; }
    /// Swaps positions i and j of the on-duty set (victim selection by partial shuffle).
    void swap_on_duty(std::size_t i, std::size_t j);

    /// Empty when conservation and every billet invariant hold, else the first violation.
    std::string check() const;

private:
    using Persons = std::vector<Person, RecordAllocator<Person>>;
    static void remove_from(std::vector<std::int32_t>& set, Persons& persons,
                            std::int32_t Person::*slot, std::int32_t p);

    std::vector<Person, RecordAllocator<Person>> persons_;
    std::vector<Billet> billets_;
    std::vector<std::int32_t> first_billet_;
    std::vector<std::int32_t> billet_count_;
    std::vector<std::vector<std::int64_t>> counts_;
    std::vector<std::int64_t> generated_;
    std::vector<std::vector<std::int32_t>> theatre_;
    std::vector<std::int32_t> duty_;
    std::vector<std::int64_t> filled_;  ///< [contingent] incumbents on duty
    std::int64_t in_theatre_total_ = 0;
    std::int64_t inbound_total_ = 0;
};

}  // namespace mss::model
