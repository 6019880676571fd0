//! What every output section reads: the chosen service, its replica, and the host facts.

use crate::identity::Identity;
use crate::image::ImageConfig;
use crate::inventory::Inventory;
use crate::options::Options;
use crate::spec::{NetworkMode, Service};

/// What every section reads: the chosen service, its replica, and the host facts.
pub struct Context<'a> {
    pub service: &'a Service,
    pub replica: u32,
    pub inventory: &'a Inventory,
    pub image: &'a ImageConfig,
    pub identity: Identity<'a>,
    pub options: &'a Options,
}

impl Context<'_> {
    pub fn host_network(&self) -> bool {
        self.options.host_network || self.service.network_mode == NetworkMode::Host
    }
}
