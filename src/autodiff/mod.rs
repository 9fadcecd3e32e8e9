//! Gradients, sparse Jacobians and sparse Lagrangian Hessians from the expression tape.
