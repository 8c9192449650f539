/**
 * The study's classes in torchvision `ImageFolder` order (folder names sorted),
 * so that label indices match PyTorch checkpoints trained on the Kaggle layout.
 */
export const CLASS_NAMES = ['fractured', 'not fractured'] as const;

/** The class that binary metrics treat as positive. */
export const POSITIVE_CLASS = 'fractured';
