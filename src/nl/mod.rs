//! Reader of AMPL `.nl` files (text and binary) into the expression tape.
