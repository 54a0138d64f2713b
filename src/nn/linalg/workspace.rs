//! The scratch of the products, owned by whoever runs them.

use super::plan::{Lists, Plan};
use crate::nn::Scalar;
use std::any::TypeId;

/// Scratch for [`Workspace::gemm`] and [`Workspace::syrk_lower`]: the packed panels of op(B),
/// the non-finite rows of op(B), the planned position lists (and, where the kernels read A from a
/// copy, the planned A values) and the plans of the rows of op(A).
///
/// Owned by the caller — the network's [`Tape`](crate::nn::Tape), so the trainer for training
/// steps and each gradient measurement for its passes — and reused from product to product: the
/// buffers grow to the largest product seen and are freed when the owner is dropped (nothing is
/// kept per thread or per process). The threads of a large product only read what the calling
/// thread planned here, so one workspace serves them all.
///
/// Size: the packed panels take ⌈n/width⌉·k·width values of op(B) (at most n·k + 63·k); the
/// lists are given their worst case up front, k + m·k + 1 positions (u32) and, with copied A,
/// m·k + 1 values, so that planning never reallocates (a reallocation holds the old and the new
/// buffer at once, and in wasm32 that high-water mark is kept for the rest of the session); only
/// the part the plan writes is ever touched (exact zeros shrink it).
pub struct Workspace<T> {
    /// Packed panels of op(B).
    packed: Vec<T>,
    /// `nf[p]` = 1 when row p of op(B) has a non-finite value.
    nf: Vec<u8>,
    lists: Lists<T>,
}

/// The workspace prepared for one product, in disjoint parts.
pub(super) struct Scratch<'w, T> {
    /// The packed panels (exactly the requested length).
    pub(super) packed: &'w mut [T],
    /// k flags, zero.
    pub(super) nf: &'w mut [u8],
    /// Emptied lists; `keep` and `last_keep` hold k bytes.
    pub(super) lists: &'w mut Lists<T>,
}

impl<T> Workspace<T> {
    /// An empty workspace (allocates nothing until the first product).
    pub fn new() -> Self {
        Workspace {
            packed: Vec::new(),
            nf: Vec::new(),
            lists: Lists {
                idx: Vec::new(),
                vals: Vec::new(),
                keep: Vec::new(),
                last_keep: Vec::new(),
                plans: Vec::new(),
            },
        }
    }

    /// Bytes the workspace holds (its buffers' capacities).
    pub fn bytes(&self) -> usize {
        let l = &self.lists;
        (self.packed.capacity() + l.vals.capacity()) * std::mem::size_of::<T>()
            + l.idx.capacity() * 4
            + self.nf.capacity()
            + l.keep.capacity()
            + l.last_keep.capacity()
            + l.plans.capacity() * std::mem::size_of::<Plan>()
    }

    /// This workspace as a `Workspace<U>` when `T` is `U`.
    pub(super) fn cast_mut<U: 'static>(&mut self) -> Option<&mut Workspace<U>>
    where
        T: 'static,
    {
        // SAFETY: T and U are the same type, so the two are the same type.
        (TypeId::of::<T>() == TypeId::of::<U>()).then(|| unsafe { &mut *(self as *mut Self).cast::<Workspace<U>>() })
    }
}

impl<T: Scalar> Workspace<T> {
    /// Prepares the buffers for a product of m rows with inner size k, `packed` values of packed
    /// B and (`copy_a`) the planned A values.
    pub(super) fn start(&mut self, m: usize, k: usize, packed: usize, copy_a: bool) -> Scratch<'_, T> {
        reserve_total(&mut self.lists.idx, k + m * k + 1);
        if copy_a {
            reserve_total(&mut self.lists.vals, m * k + 1);
        }
        if self.packed.len() < packed {
            // Every value is written by the packing, padding included, so the old panels are not
            // kept: freed before the larger buffer is allocated (a `resize` would reallocate,
            // copying them and holding both for a moment).
            self.packed = Vec::new();
            self.packed.resize(packed, T::zero());
        }
        self.nf.clear();
        self.nf.resize(k, 0);
        let l = &mut self.lists;
        l.keep.clear();
        l.keep.resize(k, 0);
        l.last_keep.clear();
        l.last_keep.resize(k, 0);
        l.plans.clear();
        Scratch {
            packed: &mut self.packed[..packed],
            nf: &mut self.nf,
            lists: &mut self.lists,
        }
    }
}

/// Gives `v` a capacity of at least `cap` in one allocation. When it has to grow, the old buffer
/// is freed first: its contents are stale scratch, not worth copying, and a reallocation would
/// hold both buffers for a moment (what the memory estimate would then have to count).
fn reserve_total<V>(v: &mut Vec<V>, cap: usize) {
    if v.capacity() < cap {
        *v = Vec::new();
        v.reserve_exact(cap);
    }
}

impl<T> Default for Workspace<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A clone is a fresh, empty workspace: scratch carries no state between products.
impl<T> Clone for Workspace<T> {
    fn clone(&self) -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for Workspace<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace").field("bytes", &self.bytes()).finish()
    }
}
