//! Homogeneous self-dual interior-point method for LPs, convex QPs and convex QCQPs.
