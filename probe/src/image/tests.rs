//! Image layouts and layers written by the tests, hostile ones included.
