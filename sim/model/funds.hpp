// Money (DESIGN §10 "Fund"): the payers' balances, dated contributions paid with a probability
// after a delay, freezes, and costs accruing to their payer as they are incurred. The release
// rule (a batch or relief waits while its payer cannot afford it) is asked here and applied by
// Personnel, which holds what waits. Modelled only when the scenario has payers; otherwise
// `enabled()` is false and nothing here draws, schedules or charges.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/kernel/random.hpp"
#include "sim/model/agenda.hpp"
#include "sim/model/config.hpp"
#include "sim/model/event_log.hpp"
#include "sim/model/ids.hpp"
#include "sim/model/roster.hpp"

namespace mss::model {

/// Days in a month, for allowances per person-month and run rates (365.25 / 12).
inline constexpr double kDaysPerMonth = 30.4375;

/// What a payer's ledger counted over a run.
struct PayerTotals {
    double cost_usd = 0.0;           ///< costs accrued to it
    double paid_usd = 0.0;           ///< contributions received
    double held_person_hours = 0.0;  ///< time its releases waited for funds
    double days_held = 0.0;          ///< days ending with someone waiting for its funds
    double min_balance_usd = 0.0;    ///< lowest end-of-day balance (the initial one if lower)
};

/// The payers' ledgers.
class Funds {
public:
    Funds(const ModelConfig& cfg, kernel::StreamFactory& streams, Agenda& agenda,
          const Roster& roster, EventLog& log);
    Funds(const Funds&) = delete;
    Funds& operator=(const Funds&) = delete;

    /// True when the scenario models money (it has payers).
    bool enabled() const noexcept { return !payers_.empty(); }
    std::size_t payers() const noexcept { return payers_.size(); }

    /// Draws which contributions are paid and when (stream `funding/contributions`, in file
    /// order: one uniform each, then the delay of a paid one) and puts the payments, the
    /// freezes' ends and the construction contracts on the personnel clock.
    void schedule();

    // ---- timed actions ----------------------------------------------------------------------
    /// Contribution `i` is paid.
    void pay(std::int32_t i);
    /// Freeze `i` ends (its amount can be spent again).
    void unfreeze(std::int32_t i);
    /// Construction project `i` is contracted: its cost accrues to the base's payer.
    void contract(std::int32_t i);

    /// Called when a payer's spendable balance rose (a payment, a freeze's end).
    void on_change(std::function<void()> f) { on_change_ = std::move(f); }

    // ---- the release rule ---------------------------------------------------------------------
    PayerId payer_of(ContingentId c) const { return contingent_payer_[c.index()]; }
    /// A person of `c` for a month: allowance plus per diem.
    double monthly_cost_usd(ContingentId c) const { return monthly_cost_[c.index()]; }
    /// True when `extra` more people of `c` may be released now: the payer's spendable balance
    /// is at least reserve_months x its monthly run rate including them.
    bool affordable(ContingentId c, std::int64_t extra, double now_h) const;
    /// The balance that may be spent at `now_h`: the balance less the active freezes.
    double spendable_usd(PayerId p, double now_h) const;
    double balance_usd(PayerId p) const { return balance_[p.index()]; }

    // ---- the end of a day ---------------------------------------------------------------------
    /// Charges one day of costs at the end of day `day`: allowances and per diem of everyone
    /// in theatre then, the base's running cost, and the block hours and link trips flown since
    /// the last call (`airlift_usd[p]`, `transfer_usd`: cumulative). `held[p]`: people waiting
    /// for p's funds now.
    void end_day(const std::vector<double>& airlift_usd, double transfer_usd,
                 const std::vector<std::int64_t>& held);
    /// Adds a held release's waiting time to its payer.
    void add_held_hours(PayerId p, double person_hours) {
        totals_[p.index()].held_person_hours += person_hours;
    }
    const PayerTotals& totals(PayerId p) const { return totals_[p.index()]; }
    /// The payer of aircraft type `i` of the config, and of the base (and links): indices.
    PayerId aircraft_payer(std::size_t i) const { return aircraft_payer_[i]; }
    PayerId base_payer() const noexcept { return base_payer_; }

private:
    PayerId lookup(const std::string& name) const;
    double run_rate_usd(PayerId p) const;

    const ModelConfig& cfg_;
    Agenda& agenda_;
    const Roster& roster_;
    EventLog& log_;
    std::optional<kernel::RandomStream> stream_;
    std::vector<double> balance_;            ///< [payer]
    std::vector<PayerTotals> totals_;        ///< [payer]
    std::vector<PayerId> contingent_payer_;  ///< [contingent]
    std::vector<double> monthly_cost_;       ///< [contingent]
    std::vector<PayerId> aircraft_payer_;    ///< [aircraft type]
    PayerId base_payer_;
    std::vector<double> airlift_seen_;  ///< [payer] cumulative airlift cost charged so far
    double transfer_seen_ = 0.0;
    std::function<void()> on_change_;
    std::vector<const PayerConfig*> payers_;
};

}  // namespace mss::model
