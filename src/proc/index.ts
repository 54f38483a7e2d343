export { ProcessSampler, type ProcessHarvest, type ProcessSample, type ProcessSamplerOptions } from './process-sampler.js';
export { sampleHost, type HostSample } from './host-sampler.js';
