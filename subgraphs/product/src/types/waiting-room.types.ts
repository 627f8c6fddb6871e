/** `Product.waitingRoom`: a sale's line as GraphQL shows it (the edge's GET /waiting-room/{id} is the same figures). */
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum WaitingRoomState {
  NOT_OPEN = 'NOT_OPEN',
  OPEN = 'OPEN',
  SOLD_OUT = 'SOLD_OUT',
  CLOSED = 'CLOSED',
}
registerEnumType(WaitingRoomState, {
  name: 'WaitingRoomState',
  description: 'Where a sale\'s line stands.',
  valuesConfig: {
    NOT_OPEN: { description: 'Before the opening: joins form the pre-queue, numbered in a random order at the opening.' },
    OPEN: { description: 'Numbers are being served; units are left.' },
    SOLD_OUT: { description: 'No units left: nobody more is served (units that come back serve the next numbers).' },
    CLOSED: { description: 'The sale has closed or the product is inactive.' },
  },
});

@ObjectType('WaitingRoom', { description: 'A sale\'s waiting room: a numbered, stock-aware line. A number is served when number <= nowServing.' })
export class WaitingRoomView {
  @Field(() => WaitingRoomState)
  state!: WaitingRoomState;

  @Field(() => Int, { description: 'Numbers up to this one may order.' })
  nowServing!: number;

  @Field(() => Int, { description: 'People in line not yet served (the pre-queue before the opening).' })
  waiting!: number;

  @Field(() => Int, { description: 'Numbers served per second, about the pace the order path completes orders.' })
  admitPerSecond!: number;

  @Field(() => Int, { description: 'Numbers given so far.' })
  issued!: number;

  @Field(() => Int, { description: 'Tickets that placed their order.' })
  used!: number;

  @Field(() => Int, { description: 'Served numbers whose order window passed without an order.' })
  noShows!: number;

  @Field(() => Int, { description: 'Served numbers still inside their order window that have not ordered: the units left they may take.' })
  holding!: number;

  @Field(() => Float, { description: 'Orders completed per second through the line, measured.' })
  pace!: number;
}
