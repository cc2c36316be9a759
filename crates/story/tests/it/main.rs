//! Integration tests of ajil-story: copies, same-event joins, breaking and rebuild.

mod analyzer;
mod breaking;
mod cold_start;
mod copies;
mod events;
mod fixtures;
mod incidents;
mod labelled;
mod rebuild;
mod scripts;
mod spelling;
mod statements;
mod support;
