//! The generator: a graph transformer over the target network's nodes that emits a
//! whole target network, conditioned on beta.
//!
//! Nodes: n inputs, m hidden neurons, 1 output. A node's initial features are its
//! type's embedding plus a projection of free per-node noise `z ~ N(0, I)` (the
//! generated network's random seed): nothing else tells nodes apart, so the generator
//! is equivariant to permutations of inputs and of hidden neurons, and any structure
//! that singles one out comes from the noise. Blocks mix all nodes; the readout
//! turns node features into weight means; the sigma heads and [`kl_bits`] turn them
//! into a weight distribution and its complexity.

use super::block::Block;
use super::condition::BetaCode;
use super::config::{ComplexityMeasure, GeneratorConfig};
use super::hierarchy::LatentHierarchy;
use super::latent::NodeLatent;
use super::linear::Linear;
use super::readout::Readout;
use super::schedule::Schedule;
use super::sigma::{priors, SigmaHeads};
use crate::params::ParamStore;
use crate::target_batch::BatchedWeights;
use crate::weight_kl::kl_bits;
use autodiff::{Device, Float, Key, Tensor};
use ndarray::ArrayD;

/// Node types, in node order: inputs, then hidden neurons, then the output.
const INPUT: usize = 0;
const HIDDEN: usize = 1;
const OUTPUT: usize = 2;

/// What one call to the generator produced, for B networks.
pub struct Generated<F: Float = f32> {
    /// Weight means (what the generator "intends").
    pub mean: BatchedWeights<F>,
    /// One sample `mu + sigma * eps` per network (equal to `mean` with no sigma).
    pub sample: BatchedWeights<F>,
    /// Complexity in bits per network, `[B]`.
    pub bits: Tensor<F>,
}

/// The beta-conditioned graph-transformer hypernetwork, computing in `F` (f32 for
/// training and generation, f64 for gradient checks).
pub struct Generator<F: Float = f32> {
    pub config: GeneratorConfig,
    pub params: ParamStore<F>,
    type_embedding: Tensor<F>,
    /// The projection of the free node noise (none for `hierarchical-vae`, which has no
    /// free noise).
    noise_projection: Option<Linear<F>>,
    beta_code: BetaCode<F>,
    blocks: Vec<Block<F>>,
    readout: Readout<F>,
    sigma: SigmaHeads<F>,
    /// The per-node latent of the `node-latent` measure.
    latent: Option<NodeLatent<F>>,
    /// The latent levels of the `hierarchical-vae` measure.
    hierarchy: Option<LatentHierarchy<F>>,
}

impl Generator {
    /// A freshly initialised f32 generator. Panics on an invalid config (validate first).
    pub fn new(config: GeneratorConfig, key: Key) -> Generator {
        Generator::build(config, key, ParamStore::new())
    }
}

impl<F: Float> Generator<F> {
    /// A generator initialised from `key` whose parameters live in `params`: an
    /// empty store, or a [`ParamStore::preset`] one whose tensors become the
    /// parameters of those names (all of them must be used). Panics on an invalid
    /// config (validate first).
    pub fn build(config: GeneratorConfig, key: Key, mut params: ParamStore<F>) -> Generator<F> {
        config.validate().unwrap_or_else(|e| panic!("Generator::new: {e}"));
        let k = key.split(8);
        let d = config.width;
        let hierarchical = config.complexity == ComplexityMeasure::HierarchicalVae;
        let type_embedding = params.normal("node_type_embedding", &[3, d], 1.0, k[0]);
        let noise_projection = (!hierarchical).then(|| Linear::new(&mut params, "noise_projection", config.noise_dim, d, 1.0, 0.0, k[1]));
        let beta_code = BetaCode::new(&mut params, config.cond_width, config.log10_beta_center, config.log10_beta_halfwidth, k[2]);
        let blocks = k[3]
            .split(config.blocks)
            .into_iter()
            .enumerate()
            .map(|(i, kb)| Block::new(&mut params, &format!("block{i}"), d, config.heads, config.cond_width, kb))
            .collect();
        let readout = Readout::new(&mut params, &config, k[4]);
        let sigma = SigmaHeads::new(&mut params, &config, k[5]);
        let latent = (config.complexity == ComplexityMeasure::NodeLatent).then(|| NodeLatent::new(&mut params, d, config.noise_dim, k[6]));
        let hierarchy = hierarchical.then(|| LatentHierarchy::new(&mut params, d, config.cond_width, config.noise_dim, config.blocks + 1, config.latent_prior, k[7]));
        let unused = params.unused_presets();
        assert!(unused.is_empty(), "Generator::build: the generator defines no parameters {unused:?}");
        Generator { config, params, type_embedding, noise_projection, beta_code, blocks, readout, sigma, latent, hierarchy }
    }

    /// The same generator with its parameters moved to `device` (see
    /// [`ParamStore::moved_to`]). Every parameter is preset, so the key only draws
    /// initial values that are discarded.
    pub fn to_device(&self, device: &Device) -> Result<Generator<F>, String> {
        Ok(Generator::build(self.config.clone(), Key::new(0), self.params.moved_to(device)?))
    }

    /// Starts the output bias b2 at `mean_target` for width m (data-dependent
    /// initialisation; see [`Readout::init_output_bias`]).
    pub fn init_output_bias(&self, mean_target: f64, m: usize) {
        self.readout.init_output_bias(mean_target, m);
    }

    /// The node noise for B networks of n inputs and m hidden neurons:
    /// `[B, n + m + 1, config.node_noise_width()]` (see [`GeneratorConfig::node_noise_width`]).
    pub fn node_noise(&self, batch: usize, n: usize, m: usize, key: Key) -> ArrayD<F> {
        key.normal(&[batch, n + m + 1, self.config.node_noise_width()])
    }

    /// Generates `log10_beta.len()` networks with n inputs and m hidden neurons under
    /// `schedule` ([`Schedule::fixed`] outside training), drawing the node noise and the
    /// weight noise from `key`.
    pub fn generate(&self, log10_beta: &[F], n: usize, m: usize, schedule: &Schedule, key: Key) -> Generated<F> {
        let k = key.split(2);
        let noise = self.node_noise(log10_beta.len(), n, m, k[0]);
        let eps = [k[1].fold_in(0), k[1].fold_in(1), k[1].fold_in(2), k[1].fold_in(3)];
        self.generate_with_noise(log10_beta, n, m, noise, eps, schedule)
    }

    /// Generation with explicit node noise (as [`Generator::node_noise`] shapes it)
    /// and one key per target tensor (W1, b1, w2, b2) for the weight noise.
    pub fn generate_with_noise(&self, log10_beta: &[F], n: usize, m: usize, noise: ArrayD<F>, eps: [Key; 4], schedule: &Schedule) -> Generated<F> {
        let (b, z) = (log10_beta.len(), self.config.noise_dim);
        assert_eq!(noise.shape(), &[b, n + m + 1, self.config.node_noise_width()], "generate: node noise shape");
        let types: Vec<usize> = std::iter::repeat_n(INPUT, n).chain(std::iter::repeat_n(HIDDEN, m)).chain([OUTPUT]).collect();
        let code = self.beta_code.forward(log10_beta, self.params.device());
        let noise = self.params.input(noise);
        let types = self.type_embedding.index_select(0, types);
        let (Some(noise_projection), None) = (&self.noise_projection, &self.hierarchy) else {
            return self.generate_hierarchical(&types, &code, &noise, n, m, schedule);
        };
        let free = if self.latent.is_some() { noise.narrow(2, 0, z) } else { noise.clone() };
        let h = noise_projection.forward(&free).add(&types);
        let (first, rest) = self.blocks.split_first().expect("a validated config has at least one block");
        let h = first.forward(&h, &code);
        let finish = |h: Tensor<F>| rest.iter().fold(h, |h, block| block.forward(&h, &code));
        match &self.latent {
            Some(latent) => {
                let latent = latent.forward(&h, &noise.narrow(2, z, z));
                let (mean, _) = self.readout.forward(&finish(latent.at_mean), n, m, schedule);
                let (sample, _) = self.readout.forward(&finish(latent.sampled), n, m, schedule);
                Generated { mean, sample, bits: latent.bits }
            }
            None => self.weight_distribution(&finish(h), &code, n, m, eps, schedule),
        }
    }

    /// The `hierarchical-vae` path: latent levels between the blocks, level `l` drawn
    /// with the node noise's channels `l * noise_dim ..` (`hierarchy.rs`).
    fn generate_hierarchical(&self, types: &Tensor<F>, code: &Tensor<F>, noise: &Tensor<F>, n: usize, m: usize, schedule: &Schedule) -> Generated<F> {
        let hierarchy = self.hierarchy.as_ref().expect("a generator without free noise has a latent hierarchy");
        let z = self.config.noise_dim;
        let eps = |l: usize| noise.narrow(2, l * z, z);
        let mut walk = hierarchy.level(0, hierarchy.start(types, code), &eps(0));
        for (i, block) in self.blocks.iter().enumerate() {
            let h = block.forward(walk.features(), code);
            walk = hierarchy.level(i + 1, walk.with_features(h), &eps(i + 1));
        }
        let decoded = hierarchy.decode(walk, types, code);
        let (mean, _) = self.readout.forward(&decoded.at_mean, n, m, schedule);
        let (sample, _) = self.readout.forward(&decoded.sampled, n, m, schedule);
        Generated { mean, sample, bits: decoded.bits }
    }

    /// Weight means from the final features `h`, and for the weight-KL measures one
    /// sample `mu + sigma * eps` per network with its KL in bits.
    fn weight_distribution(&self, h: &Tensor<F>, code: &Tensor<F>, n: usize, m: usize, eps: [Key; 4], schedule: &Schedule) -> Generated<F> {
        let (mean, read) = self.readout.forward(h, n, m, schedule);
        let sp = priors(&self.config, m);
        let log_sigma = self.sigma.forward(&read, code, n, m, sp).expect("the weight-KL measures have sigma heads");
        let mut sample = Vec::with_capacity(4);
        let mut bits: Option<Tensor<F>> = None;
        for (t, ((mu, log_s), key)) in mean.tensors().into_iter().zip(log_sigma.tensors()).zip(eps).enumerate() {
            let log_s = log_s.broadcast_to(&mu.shape());
            let noise = self.params.input(key.normal(&mu.shape()));
            sample.push(mu.add(&log_s.exp().mul(&noise)));
            let kl = kl_bits(mu, &log_s, sp[t]);
            bits = Some(match bits {
                Some(acc) => acc.add(&kl),
                None => kl,
            });
        }
        let [w1, b1, w2, b2]: [Tensor<F>; 4] = sample.try_into().unwrap_or_else(|_| unreachable!());
        Generated { mean, sample: BatchedWeights { w1, b1, w2, b2 }, bits: bits.expect("four tensors") }
    }
}
