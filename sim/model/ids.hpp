// Ids by type: each collection of the model (airports, contingents, routes, aircraft, links,
// vehicles, regimes, outbound queues) is a Table indexed by its own Id type, so an airport
// index can never index the contingents, and no model code casts an int to a size_t to index.
// Person and billet ids are the Roster's (roster.hpp).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace mss::model {

/// An index into one kind of Table; invalid (-1) when it names nothing.
template <class Tag>
struct Id {
    std::int32_t value = -1;

    constexpr Id() noexcept = default;
    constexpr explicit Id(std::int32_t v) noexcept : value(v) {}
    constexpr explicit Id(std::size_t v) noexcept : value(static_cast<std::int32_t>(v)) {}
    /// True when it names an element.
    constexpr bool valid() const noexcept { return value >= 0; }
    /// The position in its Table.
    constexpr std::size_t index() const noexcept { return static_cast<std::size_t>(value); }
    friend constexpr auto operator<=>(Id, Id) noexcept = default;
};

using AirportId = Id<struct AirportTag>;
using ContingentId = Id<struct ContingentTag>;
using RouteId = Id<struct RouteTag>;
using AirframeId = Id<struct AirframeTag>;
using LinkId = Id<struct LinkTag>;
using VehicleId = Id<struct VehicleTag>;
using RegimeId = Id<struct RegimeTag>;
using PoolId = Id<struct PoolTag>;
using PayerId = Id<struct PayerTag>;

/// The ids 0 .. n-1 of a Table, for range-for.
template <class I>
class IdRange {
public:
    struct iterator {
        std::int32_t v;
        I operator*() const noexcept { return I(v); }
        iterator& operator++() noexcept {
            ++v;
            return *this;
        }
        bool operator!=(const iterator& o) const noexcept { return v != o.v; }
    };
    explicit IdRange(std::size_t n) noexcept : n_(static_cast<std::int32_t>(n)) {}
    iterator begin() const noexcept { return {0}; }
    iterator end() const noexcept { return {n_}; }

private:
    std::int32_t n_;
};

/// A vector indexed by one Id type only.
template <class I, class T>
class Table {
public:
    T& operator[](I i) { return items_[i.index()]; }
    const T& operator[](I i) const { return items_[i.index()]; }
    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }
    /// Appends `x` and returns its id.
    I push_back(T x) {
        items_.push_back(std::move(x));
        return I(items_.size() - 1);
    }
    void resize(std::size_t n) { items_.resize(n); }
    void reserve(std::size_t n) { items_.reserve(n); }
    /// Every id, in order.
    IdRange<I> ids() const noexcept { return IdRange<I>(items_.size()); }
    auto begin() noexcept { return items_.begin(); }
    auto end() noexcept { return items_.end(); }
    auto begin() const noexcept { return items_.begin(); }
    auto end() const noexcept { return items_.end(); }

private:
    std::vector<T> items_;
};

}  // namespace mss::model
