//! Reader of AMPL `.nl` files (text and binary) into the expression tape.

pub mod model;
pub mod tape;
