"""Plain-language explanations of every hyperparameter the search varies: what it is, why it matters, and what
a bad value suggests. The dashboard shows them wherever a hyperparameter appears (served by GET /glossary)."""

from __future__ import annotations

from typing import Final

HYPERPARAMETERS: Final[dict[str, dict[str, str]]] = {
    "conv_blocks": {
        "title": "Convolution blocks",
        "what": "How many stages of convolution + 2x2 pooling the image passes through; each halves its size.",
        "why": "More blocks see larger patterns (strokes, then shapes, then objects) but cost time and parameters.",
        "bad_value": "Too few: the model misses larger shapes and underfits. Too many on small images: slow, "
                     "and the picture shrinks to a few pixels.",
    },
    "filters": {
        "title": "Filters per block",
        "what": "Number of feature detectors (channels) each convolution block learns; filters_1 is the first block.",
        "why": "More filters can recognise more kinds of patterns, at the cost of time and memory.",
        "bad_value": "Too few: accuracy plateaus early. Too many: slow training, many dead filters and a poorer "
                     "parameter-efficiency score.",
    },
    "base_filters": {
        "title": "Base filters",
        "what": "Filters in the first convolution block; every next block doubles them (32 gives 32, 64, 128).",
        "why": "Doubling the channels as the image halves keeps the work per block even, the standard CNN shape. "
               "Wider nets learn more patterns per epoch but cost roughly the square of the width in time.",
        "bad_value": "Too narrow: accuracy plateaus early. Too wide on a CPU: few epochs fit the budget, and the "
                     "trial may be skipped before training because its predicted time is over its share.",
    },
    "augment": {
        "title": "Data augmentation",
        "what": "Random changes to each training image, new every epoch: 'translate' shifts it by up to 2 pixels; "
                "'translate_flip' also mirrors half the images. Only offered where a mirror keeps the class "
                "(clothes, natural images), never for digits or traffic signs.",
        "why": "The model sees many variants of each example, so it learns the object rather than its exact "
               "pixels: validation accuracy and the train/validation gap improve, at almost no cost per step.",
        "bad_value": "With very few epochs it can slow learning (the task is harder); a train accuracy far below "
                     "validation accuracy says the augmentation is strong for the epochs given.",
    },
    "label_smoothing": {
        "title": "Label smoothing",
        "what": "Share of each training target spread evenly over the other classes (0.1: the right class "
                "counts 0.9), in the training loss only.",
        "why": "Stops the model from chasing ever larger confidence on training examples, which generalizes "
               "better and keeps logits and gradients in a healthy range.",
        "bad_value": "Too high (above ~0.2): the model is kept unsure of everything and accuracy drops.",
    },
    "sequence_fraction": {
        "title": "Sequence length",
        "what": "Share of each text the LSTM reads: 1.0 reads all of the dataset's tokens (256 for IMDB), 0.5 only "
                "the last half. Texts are left-padded, so the last tokens are always real words.",
        "why": "An LSTM's time is proportional to the tokens it reads; reviews often state their verdict at the "
               "end, so a shorter window can trade a little accuracy for twice the trials.",
        "bad_value": "Too short: the model misses what decides the label and validation accuracy stalls.",
    },
    "convs_per_block": {
        "title": "Convolutions per block",
        "what": "Convolution layers stacked in each block before it pools.",
        "why": "Two stacked 3x3 convolutions see as far as one 5x5 with fewer parameters and an extra nonlinearity.",
        "bad_value": "Two per block without batch norm can train slowly or unstably; watch gradient health.",
    },
    "kernel_size": {
        "title": "Kernel size",
        "what": "Width of the square window each convolution looks at (3 = 3x3 pixels).",
        "why": "Larger kernels see more context per layer but have more weights and are slower.",
        "bad_value": "5 on tiny images mostly adds parameters; 3 with enough blocks is usually as good.",
    },
    "batch_norm": {
        "title": "Batch normalization",
        "what": "Re-centres and re-scales each layer's outputs over the batch during training.",
        "why": "Keeps activations in a healthy range, which allows higher learning rates and steadier training.",
        "bad_value": "Off with a high learning rate often shows as poor training stability or vanishing gradients.",
    },
    "pooling": {
        "title": "Final pooling",
        "what": "How the last feature maps become one vector: 'max' flattens them, 'global' averages each channel.",
        "why": "Global averaging needs far fewer dense weights and is less prone to overfitting.",
        "bad_value": "Flattening large maps creates huge dense layers: many parameters and overfitting.",
    },
    "embedding_dim": {
        "title": "Embedding size",
        "what": "Length of the vector that represents each word.",
        "why": "Longer vectors can encode finer shades of meaning but need more data to learn.",
        "bad_value": "Too large for the data: overfitting (a growing train/validation gap). Too small: underfitting.",
    },
    "lstm_units": {
        "title": "LSTM units",
        "what": "Size of the LSTM's memory: numbers it carries from word to word.",
        "why": "More units remember more about the text so far, at a steep cost in time.",
        "bad_value": "Too many: slow and overfits; saturated units (stuck at ±1) show in neuron utilization.",
    },
    "lstm_layers": {
        "title": "LSTM layers",
        "what": "LSTM layers stacked on top of each other.",
        "why": "A second layer can model longer-range structure, but is slower and harder to train.",
        "bad_value": "Two layers with a high learning rate often show vanishing or exploding gradients.",
    },
    "bidirectional": {
        "title": "Bidirectional",
        "what": "Whether the text is also read backwards by a second LSTM.",
        "why": "Each word then sees context on both sides, which usually helps classification.",
        "bad_value": "Doubles the time per epoch; off is fine when time is short.",
    },
    "sequence_pooling": {
        "title": "Sequence pooling",
        "what": "How the LSTM's outputs over all words become one vector: the 'last' state, the 'max' over time, "
                "or 'mean_max' (max and mean over the real words, side by side).",
        "why": "Max-pooling lets a decisive word anywhere in a long text count; the mean adds the overall tone; "
               "the last state favours the end.",
        "bad_value": "'last' on long, left-padded texts can forget the start: accuracy stays near chance.",
    },
    "activation": {
        "title": "Activation function",
        "what": "The nonlinearity after each layer (relu, leaky_relu, elu, gelu, silu/swish, tanh).",
        "why": "It decides how signals and gradients flow; the wrong one can leave units dead or saturated.",
        "bad_value": "relu with a high learning rate: dead units. tanh in deep stacks: saturation and vanishing "
                     "gradients. Try leaky_relu or elu when neuron utilization is low.",
    },
    "optimizer": {
        "title": "Optimizer",
        "what": "The rule that turns gradients into weight updates: adam, adamw, rmsprop (adaptive) or sgd.",
        "why": "Adaptive optimizers work well with little tuning; SGD needs a larger, well-chosen learning rate.",
        "bad_value": "SGD with a small learning rate barely learns in a few epochs (poor convergence quality).",
    },
    "learning_rate": {
        "title": "Learning rate",
        "what": "Step size of each weight update (SGD gets its own range, sgd_learning_rate, 10-100x larger).",
        "why": "The single most important setting: too small learns slowly, too large overshoots.",
        "bad_value": "Too high: jumpy or rising loss, dead units, exploding gradients. Too low: loss falls slowly "
                     "and accuracy is still climbing at the last epoch.",
    },
    "dropout": {
        "title": "Dropout",
        "what": "Share of units randomly switched off at each training step (0 = none).",
        "why": "Forces the network not to rely on single units, which reduces overfitting.",
        "bad_value": "Too high: underfits and trains slowly. Zero on a large model: a large train/validation gap.",
    },
    "dense_layers": {
        "title": "Dense layers",
        "what": "Fully connected hidden layers before the output; each has half the nodes of the previous one.",
        "why": "They combine the extracted features into a decision; zero means features go straight to the output.",
        "bad_value": "More layers add parameters and overfitting risk with little accuracy gain on simple data.",
    },
    "dense_units": {
        "title": "Dense nodes",
        "what": "Nodes in the first dense hidden layer.",
        "why": "More nodes can represent more feature combinations but add many parameters.",
        "bad_value": "Very wide layers after flattening dominate the parameter count and lower parameter efficiency.",
    },
    "weight_decay": {
        "title": "Weight decay",
        "what": "A small pull of every weight towards zero at each step (L2 regularization).",
        "why": "Keeps weights small, which limits overfitting.",
        "bad_value": "Too high: the model cannot fit (low train accuracy). Too low with a big model: overfitting.",
    },
    "lr_schedule": {
        "title": "Learning-rate schedule",
        "what": "'cosine' lowers the learning rate smoothly to near zero by the last epoch; 'constant' keeps it.",
        "why": "Lowering the rate at the end lets training settle into a good minimum.",
        "bad_value": "'constant' with a high rate leaves the final loss noisy; watch training stability.",
    },
    "batch_size": {
        "title": "Batch size",
        "what": "Examples the gradient is averaged over per update.",
        "why": "Larger batches are faster per epoch and smoother, smaller ones update more often and generalize well.",
        "bad_value": "Small batches with a high learning rate: noisy loss. Very large ones: fewer updates per epoch, "
                     "slower learning in few epochs.",
    },
    "epochs": {
        "title": "Epochs",
        "what": "Full passes over the training data. Not searched: every trial plans max_epochs_per_trial (text "
                "models at most 3), the pruner compares trials epoch by epoch at equal budgets, and early stopping "
                "may end sooner.",
        "why": "More epochs let the model learn more, until it starts to overfit.",
        "bad_value": "Too few: accuracy still rising at the end. Too many: validation loss rises again "
                     "(convergence quality drops).",
    },
}



def param_aliases(max_blocks: int = 4) -> dict[str, str]:
    """Optuna parameter names that are not glossary keys themselves, mapped to the key that explains them."""
    return {**{f"filters_{i}": "filters" for i in range(1, max_blocks + 1)}, "sgd_learning_rate": "learning_rate"}
