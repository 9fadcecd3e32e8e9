//! Grouping items by a small integer key: the counting sort behind every compressed
//! (column- or row-pointer) layout the crate builds, from the `.nl` reader's Jacobian
//! rows to the KKT pattern, the orderings' graphs and the convex solver's matrices.
//!
//! It imports nothing, so every module may use it.

/// Groups `items` by their key in `0..n_keys`, keeping the order in which they come
/// within each key (a stable counting sort): returns the pointers `ptr` (`n_keys + 1`
/// of them, the items of key `k` at `ptr[k]..ptr[k + 1]`) and the items in that order.
///
/// `items` is walked twice, once to count the keys and once to place the items, so it
/// should be a cheap view of data the caller holds (hence `Clone`). Work and memory are
/// `O(n_keys + items)`; there is no comparison sort, which keeps building a pattern
/// linear in its entries.
pub(crate) fn group_by_key<T: Copy + Default>(
    n_keys: usize,
    items: impl Iterator<Item = (usize, T)> + Clone,
) -> (Vec<usize>, Vec<T>) {
    let mut ptr = vec![0usize; n_keys + 1];
    for (key, _) in items.clone() {
        ptr[key + 1] += 1;
    }
    for k in 0..n_keys {
        ptr[k + 1] += ptr[k];
    }
    let mut next = ptr[..n_keys].to_vec();
    let mut grouped = vec![T::default(); ptr[n_keys]];
    for (key, item) in items {
        grouped[next[key]] = item;
        next[key] += 1;
    }
    (ptr, grouped)
}

#[cfg(test)]
mod tests {
    use super::group_by_key;

    #[test]
    fn groups_by_key_in_arrival_order() {
        let items = [(2, 'a'), (0, 'b'), (2, 'c'), (0, 'd'), (3, 'e')];
        let (ptr, grouped) = group_by_key(4, items.iter().copied());
        assert_eq!(ptr, [0, 2, 2, 4, 5]);
        assert_eq!(grouped, ['b', 'd', 'a', 'c', 'e']);
    }

    #[test]
    fn no_items_gives_empty_groups() {
        let (ptr, grouped) = group_by_key::<u8>(3, std::iter::empty());
        assert_eq!(ptr, [0, 0, 0, 0]);
        assert!(grouped.is_empty());
        let (ptr, grouped) = group_by_key::<u8>(0, std::iter::empty());
        assert_eq!(ptr, [0]);
        assert!(grouped.is_empty());
    }
}
