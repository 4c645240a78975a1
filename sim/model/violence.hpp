// Gang violence (DESIGN §3 "Gang violence"): a continuous-time Markov regime modulating
// Poisson attacks, and what an attack does. It acts only through the other components: an
// airport closure (Airports), a cut link (Transfer), wounded and killed (Personnel). Streams:
//   violence/regime   holding times and jumps of the regime (and the initial regime when drawn)
//   violence/attacks  one uniform per attack interval (and one per regime change, when the
//                     interval to the next attack is redrawn at the new rate)
//   violence/effects  exactly two 64-bit draws per attack: the effect, and the seed of the
//                     attack's own stream for everything else it needs (durations, which link,
//                     casualty counts, victims, medevac decisions)
//   casualty/recovery recovery durations of wounded who stay in theatre
// The generator and stationary shares are computed here once, for the model, the loader's
// checks, the sweep's shape check and the results file's /regimes.
#pragma once

#include <optional>
#include <vector>

#include <Eigen/Dense>

#include "sim/kernel/distribution.hpp"
#include "sim/kernel/process.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/simulation.hpp"
#include "sim/model/config.hpp"
#include "sim/model/event_log.hpp"
#include "sim/model/ids.hpp"

namespace mss::model {

/// `generator_per_day` as a matrix (per day), rows and columns in regime order; a 0 x 0 matrix
/// when it is not square with one row per regime.
Eigen::MatrixXd generator_matrix(const ViolenceConfig& v);

/// The expected long-run share of time in each violence regime: the stationary distribution
/// of `generator_per_day`, in regime order; empty when violence is off or the generator is not
/// square. Throws std::invalid_argument when it is not a generator (kernel::validate_generator).
std::vector<double> stationary_regime_shares(const ViolenceConfig& v);

class Agenda;
class Airports;
class Personnel;
class Roster;
class Transfer;

/// The violence process of one replication (nothing when violence is off).
class Violence {
public:
    Violence(const ModelConfig& cfg, kernel::Simulation& sim, kernel::StreamFactory& streams,
             Agenda& agenda, Airports& airports, Transfer& transfer, Personnel& personnel,
             Roster& roster, EventLog& log);
    Violence(const Violence&) = delete;
    Violence& operator=(const Violence&) = delete;
    /// Starts the regime process (when violence is on).
    void start();
    kernel::Simulation& simulation() noexcept { return sim_; }
    /// The regime holding now; invalid when violence is off.
    RegimeId regime() const noexcept { return regime_; }

private:
    struct Regime {
        double rate_per_h = 0.0;
        double p_close = 0.0, p_cut = 0.0, p_hit = 0.0;
        std::optional<kernel::Distribution> closure_days, cut_days;
        std::optional<kernel::CountDistribution> wounded, killed;
    };
    kernel::Process<> run();
    void attack();
    void patrol_hit(const Regime& g, kernel::RandomStream& sub);
    double sample(const kernel::Distribution& d, kernel::RandomStream& s) const;

    const ViolenceConfig& cfg_;
    kernel::Simulation& sim_;
    Agenda& agenda_;
    Airports& airports_;
    Transfer& transfer_;
    Personnel& personnel_;
    Roster& roster_;
    EventLog& log_;
    std::size_t contingents_;
    Table<RegimeId, Regime> regimes_;
    std::vector<std::vector<double>> generator_per_h_;
    std::optional<kernel::RandomStream> regime_stream_, attack_stream_, effect_stream_,
        recovery_stream_;
    std::optional<kernel::Distribution> recovery_days_;
    RegimeId regime_;
    kernel::Process<> proc_;
};

}  // namespace mss::model
