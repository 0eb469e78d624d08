/**
 * Calls are announced one after another, never cutting each other off: a chime, then the sentence
 * in Vietnamese with a Vietnamese voice when the system has one (otherwise the chime and the
 * flashing row carry the call).
 */
export class Announcer {
  private chain: Promise<void> = Promise.resolve()
  private audio: AudioContext | undefined

  constructor(private readonly language: string) {}

  announce(sentence: string): void {
    this.chain = this.chain.then(() => this.play(sentence)).catch((error: unknown) => console.warn(`Announcement failed: ${String(error)}`))
  }

  private async play(sentence: string): Promise<void> {
    await this.chime()
    const speech = globalThis.speechSynthesis
    if (!speech) return
    const voice = speech.getVoices().find((candidate) => candidate.lang.toLowerCase().startsWith(this.language))
    if (!voice) return
    await new Promise<void>((resolve) => {
      const utterance = new SpeechSynthesisUtterance(sentence)
      utterance.voice = voice
      utterance.lang = voice.lang
      utterance.rate = 0.9
      utterance.onend = () => resolve()
      utterance.onerror = () => resolve()
      speech.speak(utterance)
    })
  }

  private async chime(): Promise<void> {
    this.audio ??= new AudioContext()
    const context = this.audio
    if (context.state === 'suspended') await context.resume().catch(() => undefined)
    const start = context.currentTime
    for (const [index, frequency] of [880, 660].entries()) {
      const oscillator = context.createOscillator()
      const gain = context.createGain()
      oscillator.frequency.value = frequency
      gain.gain.setValueAtTime(0.3, start + index * 0.45)
      gain.gain.exponentialRampToValueAtTime(0.001, start + index * 0.45 + 0.4)
      oscillator.connect(gain).connect(context.destination)
      oscillator.start(start + index * 0.45)
      oscillator.stop(start + index * 0.45 + 0.42)
    }
    await new Promise((resolve) => setTimeout(resolve, 950))
  }
}
