// Money: balances, contributions, freezes, costs as incurred, and the release rule's test.
#include "sim/model/funds.hpp"

#include <algorithm>

#include "sim/kernel/distribution.hpp"

namespace mss::model {

Funds::Funds(const ModelConfig& cfg, kernel::StreamFactory& streams, Agenda& agenda,
             const Roster& roster, EventLog& log)
    : cfg_(cfg), agenda_(agenda), roster_(roster), log_(log) {
    const FundingConfig& f = cfg.funding;
    if (f.payers.empty()) return;
    for (const PayerConfig& p : f.payers) {
        payers_.push_back(&p);
        balance_.push_back(p.initial_usd);
        PayerTotals t;
        t.min_balance_usd = p.initial_usd;
        totals_.push_back(t);
    }
    airlift_seen_.assign(payers_.size(), 0.0);
    for (const ContingentConfig& c : cfg.contingents) {
        contingent_payer_.push_back(lookup(c.payer));
        monthly_cost_.push_back(c.allowance_usd_per_month + c.per_diem_usd * kDaysPerMonth);
    }
    for (const AircraftConfig& a : cfg.aircraft)
        aircraft_payer_.push_back(lookup(a.payer));
    base_payer_ = lookup(cfg.base.payer);
    stream_.emplace(streams.stream("funding/contributions"));
}

PayerId Funds::lookup(const std::string& name) const {
    for (std::size_t i = 0; i < payers_.size(); ++i)
        if (payers_[i]->name == name) return PayerId(static_cast<std::int32_t>(i));
    return PayerId(0);  // empty (validated): the first payer
}

void Funds::schedule() {
    if (!enabled()) return;
    const FundingConfig& f = cfg_.funding;
    for (std::size_t i = 0; i < f.contributions.size(); ++i) {
        const ContributionConfig& c = f.contributions[i];
        if (!(stream_->uniform01() < c.probability)) continue;  // pledged, never paid
        const double delay = std::max(0.0, kernel::Distribution(c.delay_days).sample(*stream_));
        agenda_.push(kernel::days(c.day + delay), Action::payment, static_cast<std::int32_t>(i));
    }
    for (std::size_t i = 0; i < f.freezes.size(); ++i)
        agenda_.push(kernel::days(f.freezes[i].end_day), Action::freeze_end,
                     static_cast<std::int32_t>(i));
    for (std::size_t i = 0; i < cfg_.base.construction.size(); ++i)
        agenda_.push(kernel::days(cfg_.base.construction[i].day), Action::contract,
                     static_cast<std::int32_t>(i));
}

void Funds::pay(std::int32_t i) {
    const ContributionConfig& c = cfg_.funding.contributions[static_cast<std::size_t>(i)];
    const PayerId p = lookup(c.payer);
    balance_[p.index()] += c.amount_usd;
    totals_[p.index()].paid_usd += c.amount_usd;
    log_.record(EventKind::contribution_paid, ContingentId(), AirportId(),
                static_cast<std::int64_t>(std::min(c.amount_usd, 2147483647.0)));
    if (on_change_) on_change_();
}

void Funds::unfreeze(std::int32_t) {
    if (on_change_) on_change_();
}

void Funds::contract(std::int32_t i) {
    const double usd = cfg_.base.construction[static_cast<std::size_t>(i)].cost_usd;
    balance_[base_payer_.index()] -= usd;
    totals_[base_payer_.index()].cost_usd += usd;
}

double Funds::spendable_usd(PayerId p, double now_h) const {
    double frozen = 0.0;
    for (const FreezeConfig& z : cfg_.funding.freezes)
        if (lookup(z.payer) == p && now_h >= kernel::days(z.start_day) &&
            now_h < kernel::days(z.end_day))
            frozen += z.amount_usd;
    return balance_[p.index()] - frozen;
}

double Funds::run_rate_usd(PayerId p) const {
    // Everyone released and not yet home: ready at the origin, inbound, or in theatre.
    double rate = 0.0;
    for (std::size_t c = 0; c < contingent_payer_.size(); ++c) {
        if (contingent_payer_[c] != p) continue;
        const int ci = static_cast<int>(c);
        const auto n = roster_.count(ci, PersonState::ready) +
                       roster_.count(ci, PersonState::in_transit_in) + roster_.in_theatre(ci);
        rate += static_cast<double>(n) * monthly_cost_[c];
    }
    if (p == base_payer_) rate += cfg_.base.running_usd_per_day * kDaysPerMonth;
    return rate;
}

bool Funds::affordable(ContingentId c, std::int64_t extra, double now_h) const {
    const PayerId p = payer_of(c);
    const double rate = run_rate_usd(p) + static_cast<double>(extra) * monthly_cost_[c.index()];
    return spendable_usd(p, now_h) >= cfg_.funding.reserve_months * rate;
}

void Funds::end_day(const std::vector<double>& airlift_usd, double transfer_usd,
                    const std::vector<std::int64_t>& held) {
    std::vector<double> cost(payers_.size(), 0.0);
    for (std::size_t c = 0; c < contingent_payer_.size(); ++c) {
        const ContingentConfig& k = cfg_.contingents[c];
        const double per_day = k.per_diem_usd + k.allowance_usd_per_month / kDaysPerMonth;
        cost[contingent_payer_[c].index()] +=
            static_cast<double>(roster_.in_theatre(static_cast<int>(c))) * per_day;
    }
    for (std::size_t p = 0; p < payers_.size(); ++p) {
        cost[p] += airlift_usd[p] - airlift_seen_[p];
        airlift_seen_[p] = airlift_usd[p];
    }
    cost[base_payer_.index()] += transfer_usd - transfer_seen_ + cfg_.base.running_usd_per_day;
    transfer_seen_ = transfer_usd;
    for (std::size_t p = 0; p < payers_.size(); ++p) {
        balance_[p] -= cost[p];
        PayerTotals& t = totals_[p];
        t.cost_usd += cost[p];
        t.min_balance_usd = std::min(t.min_balance_usd, balance_[p]);
        if (held[p] > 0) t.days_held += 1.0;
    }
}

}  // namespace mss::model
