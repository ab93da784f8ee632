//! Page requests and paged results, shared by every list.

use serde::Serialize;
use utoipa::ToSchema;

/// The largest page a caller may ask for.
pub const MAX_PAGE_SIZE: u32 = 200;
/// The page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// A validated page request: `page` is 1-based; `skip` rows come before the first page (a
/// window that starts anywhere, for cursor pagination).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub page_size: u32,
    pub skip: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            skip: 0,
        }
    }
}

impl PageRequest {
    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        (self.page as i64 - 1) * self.page_size as i64 + self.skip as i64
    }
    /// Rows to take.
    pub fn limit(&self) -> i64 {
        self.page_size as i64
    }

    /// Everything, for internal reads of lists that stay small.
    pub fn all() -> Self {
        Self {
            page: 1,
            page_size: u32::MAX / 2,
            skip: 0,
        }
    }

    /// `limit` rows from row `offset` on.
    pub fn window(offset: u32, limit: u32) -> Self {
        Self {
            page: 1,
            page_size: limit,
            skip: offset,
        }
    }
}

/// One page of a list and the size of the whole list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total_count: i64,
    pub request: PageRequest,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total_count: self.total_count,
            request: self.request,
        }
    }
    /// The `pagination` object of the envelope.
    pub fn info(&self) -> PageInfo {
        let size = self.request.page_size.max(1) as i64;
        let total_pages = (self.total_count + size - 1) / size;
        PageInfo {
            page: self.request.page,
            page_size: self.request.page_size,
            total_count: self.total_count,
            total_pages,
            has_next: (self.request.page as i64) < total_pages,
            has_previous: self.request.page > 1,
        }
    }
}

/// The envelope's `pagination` object.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageInfo {
    pub page: u32,
    pub page_size: u32,
    pub total_count: i64,
    pub total_pages: i64,
    pub has_next: bool,
    pub has_previous: bool,
}
