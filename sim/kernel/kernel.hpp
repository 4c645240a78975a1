// Umbrella header of the discrete-event kernel (mss::kernel).
#pragma once

#include "sim/kernel/container.hpp"
#include "sim/kernel/event.hpp"
#include "sim/kernel/process.hpp"
#include "sim/kernel/resource.hpp"
#include "sim/kernel/simulation.hpp"
#include "sim/kernel/store.hpp"
