/** The lectures' Keras-style MNIST pair (G = 1,164,289, D = 40,705 params), for tests. */
export {
  kerasDcganGenerator as kerasGenerator,
  kerasDcganDiscriminator as kerasDiscriminator,
} from '../../src-shared/config/reference-models'
