//! Where a strided matrix lives inside a flat buffer: rows, columns and the two
//! strides, shared by the GEMM paths (`gemm.rs`, `skinny.rs`).

/// Where one matrix of `rows x cols` lives inside a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatLayout {
    pub rows: usize,
    pub cols: usize,
    pub row_stride: isize,
    pub col_stride: isize,
}

impl MatLayout {
    /// A contiguous row-major `rows x cols` matrix.
    pub fn row_major(rows: usize, cols: usize) -> Self {
        MatLayout { rows, cols, row_stride: cols as isize, col_stride: 1 }
    }

    /// The same buffer read as the transposed matrix (no copy).
    pub fn t(self) -> Self {
        MatLayout {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }

    /// One past the largest element offset touched (0 for an empty matrix).
    pub(crate) fn extent(&self) -> usize {
        if self.rows == 0 || self.cols == 0 {
            return 0;
        }
        let last = (self.rows as isize - 1) * self.row_stride + (self.cols as isize - 1) * self.col_stride;
        assert!(self.row_stride >= 0 && self.col_stride >= 0, "gemm: negative strides are not supported");
        last as usize + 1
    }
}
