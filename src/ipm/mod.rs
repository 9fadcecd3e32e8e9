//! The filter line-search interior-point method of Wächter & Biegler (Ipopt).
