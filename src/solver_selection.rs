//! The dispatcher between the solver interface and the two solvers: classifies a
//! model (LP, convex QP, convex QCQP, general NLP) and hands it to `convex` or `ipm`.
