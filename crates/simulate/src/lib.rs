//! Monte Carlo simulation.
